"""The two example projects the CLI tests run, and the edits a user would make to each.

The quickstart is a Python program (the root Pulumi.yaml and __main__.py); the GitOps example is a
program that reads accounts.yaml. The tests ask the same of both (rename a customer, edit an
account, add two accounts, protect everything), so each example says here how that edit is made
in its own files, the way its users make it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from .support import REPO, Project, Stack

PROTECT_EVERYTHING = textwrap.dedent(
    """\
    import pulumi as _pulumi


    def _protect(args: _pulumi.ResourceTransformationArgs) -> _pulumi.ResourceTransformationResult:
        return _pulumi.ResourceTransformationResult(
            args.props, _pulumi.ResourceOptions.merge(args.opts, _pulumi.ResourceOptions(protect=True))
        )


    _pulumi.runtime.register_stack_transformation(_protect)
    """
)
"""Prepended to a Python program: every resource it declares is protected."""


@dataclass(frozen=True)
class Example:
    name: str
    files: tuple[Path, ...]
    main: str
    """The file users edit."""
    folder: str
    """Where the copy goes, relative to the test's folder (``.venv`` is linked in at the same place as in
    the repository, relative to the project)."""
    venv: str
    created_calls: dict[str, int]
    """What the first `pulumi up` of the example calls: the create guard's read and one SignupCustomer per
    customer, the guard's read and one AddAccount per additional account, and one GetUser per provider
    process to find the aggregator (no parent is set)."""
    customer: str
    """Logical name of the customer the tests rename."""
    customer_name: str
    account: str
    """Logical name of an additional account of that customer's family, which the tests edit."""
    account_name: str
    owner: str
    """Logical name of the customer the tests add two accounts to."""

    def copy(self, to: Path) -> Project:
        return Project.copy(list(self.files), to / self.folder, to / self.venv)

    def rename_customer(self, project: Project, new: str) -> None:
        if self.name == "quickstart":
            project.edit(self.main, f'        name="{self.customer_name}",\n', f'        name="{new}",\n')
        else:
            project.edit(self.main, f"    name: {self.customer_name}\n", f"    name: {new}\n")

    def rename_account(self, project: Project, new: str) -> None:
        if self.name == "quickstart":
            project.edit(self.main, f'name="{self.account_name}"', f'name="{new}"')
        else:
            project.edit(self.main, f"name: {self.account_name}\n", f"name: {new}\n")

    def protect_everything(self, project: Project, stack: Stack) -> None:
        if self.name == "quickstart":
            project.prepend(self.main, PROTECT_EVERYTHING)
        else:
            stack.set_config({"gitops:protect": "true"})

    def unprotect(self, stack: Stack) -> None:
        if self.name != "quickstart":
            stack.set_config({"gitops:protect": "false"})

    def add_accounts(self, project: Project, kinds: tuple[str, ...]) -> list[str]:
        """Declare one more account per kind under ``owner``; their logical names. The tests take them
        out again, so they say ``deletion_policy: deactivate``."""
        if self.name == "quickstart":
            project.append(
                self.main,
                "".join(
                    f'\nAccount("contoso-{kind.lower()}", AccountArgs(customer_id=contoso.customer_id, '
                    f'name="Contoso Outdoor - {kind}", currency_code="USD", business_address=office, '
                    'deletion_policy="deactivate"))\n'
                    for kind in kinds
                ),
            )
            return [f"contoso-{kind.lower()}" for kind in kinds]
        entries = "".join(
            f"      {kind.lower()}:\n"
            f"        name: Tailspin Toys - {kind}\n"
            "        currency_code: EUR\n"
            "        business_address:\n"
            "          business_name: Tailspin Toys GmbH\n"
            "          line1: Walter-Gropius-Strasse 5\n"
            "          city: München\n"
            "          country_code: DE\n"
            "        deletion_policy: deactivate\n"
            for kind in kinds
        )
        project.append(self.main, "    accounts:\n" + entries)
        return [f"{self.owner}/{kind.lower()}" for kind in kinds]


QUICKSTART = Example(
    name="quickstart",
    files=(REPO / "Pulumi.yaml", REPO / "__main__.py"),
    main="__main__.py",
    folder="quickstart",
    venv="quickstart/.venv",
    created_calls={"GetUser": 1, "GetCustomersInfo": 1, "SignupCustomer": 1, "SearchAccounts": 1, "AddAccount": 1},
    customer="contoso",
    customer_name="Contoso Outdoor",
    account="contoso-brand",
    account_name="Contoso Outdoor - Brand",
    owner="contoso",
)
GITOPS_FOLDER = REPO / "examples" / "gitops"
GITOPS = Example(
    name="gitops",
    files=(GITOPS_FOLDER / "Pulumi.yaml", GITOPS_FOLDER / "__main__.py", GITOPS_FOLDER / "accounts.yaml"),
    main="accounts.yaml",
    folder="examples/gitops",
    venv=".venv",
    created_calls={"GetUser": 1, "GetCustomersInfo": 3, "SignupCustomer": 3, "SearchAccounts": 2, "AddAccount": 2},
    customer="fabrikam",
    customer_name="Fabrikam Fiber",
    account="contoso/brand",
    account_name="Contoso Outdoor - Brand",
    owner="tailspin",
)
EXAMPLES = (QUICKSTART, GITOPS)
