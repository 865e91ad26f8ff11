"""The Celery task of the recommenders app: train a recommender (core.jobs.job_task)."""

from annotator.core.jobs import job_task
from annotator.recommenders.models import TrainedModel
from annotator.recommenders.training import work

train_model = job_task(TrainedModel, work)
