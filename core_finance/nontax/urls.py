from django.urls import path

from core_finance.nontax import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("notices/new/", views.issue, name="issue"),
    path("notices/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("notices/<int:pk>/refund/", views.refund, name="refund"),
    path("refunds/<int:pk>/<str:action>/", views.decide_refund, name="decide_refund"),
    path("bank/<str:bank>/notices.csv", views.notice_file, name="notice_file"),
    path("bank/upload/", views.upload, name="upload"),
    path("remittances/new/", views.create_batch, name="create_batch"),
    path("remittances/<int:pk>/<str:action>/", views.decide_batch, name="decide_batch"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("reconciliation.xlsx", views.reconciliation_xlsx, name="reconciliation_xlsx"),
]
