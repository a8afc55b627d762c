from common.celery import make_celery

app = make_celery("extranet")
