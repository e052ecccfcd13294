from django.urls import path

from bench import floor
from example_project.urls import urlpatterns as example_urlpatterns

urlpatterns = [
    path("floor/cats/", floor.cat_list),
    path("floor/cats/<int:cat_id>/", floor.cat_detail),
    path("floor/achievements/", floor.achievement_list),
    path("floor/users/me/", floor.users_me),
    *example_urlpatterns,
]
