from service_hall.models.consultation import Desk, Question, Topic
from service_hall.models.evaluation import Grade, Rating, Rectification

__all__ = ["Desk", "Grade", "Question", "Rating", "Rectification", "Topic"]
