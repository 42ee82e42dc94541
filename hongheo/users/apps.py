from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "hongheo.users"
    label = "users"
    verbose_name = "Người dùng"
