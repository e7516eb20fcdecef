def test_emulator_answers_get_user(soap):
    user = soap.GetUser(UserId=None)
    assert user.CustomerRoles.CustomerRole[0].RoleId == 33
