app_name = "posts"
urlpatterns = []
