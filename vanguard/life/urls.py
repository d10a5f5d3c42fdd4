app_name = "life"
urlpatterns = []
