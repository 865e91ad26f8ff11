"""The Celery tasks of the recommenders app: train a recommender (core.jobs.job_task), and the
periodic look for recommenders with enough new training data (Celery beat)."""

from celery import shared_task

from annotator.core.jobs import job_task
from annotator.recommenders.models import TrainedModel
from annotator.recommenders.services import retrain_all_due
from annotator.recommenders.training import work

train_model = job_task(TrainedModel, work)


@shared_task(name="recommenders.retrain_due")
def retrain_due() -> list[str]:
    """Run by Celery beat every ANNOTATOR_RECOMMENDER_RETRAIN_SECONDS: queue a training of every
    recommender that has ``retrain_after`` new gold or agreed spans (or data and no model)."""
    return retrain_all_due()
