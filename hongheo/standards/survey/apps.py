from django.apps import AppConfig


class SurveyFormsConfig(AppConfig):
    """Phiếu A (screening criteria) and Phiếu B (income-score tables) as versioned data."""

    name = "hongheo.standards.survey"
    label = "survey_forms"
    verbose_name = "Phiếu A, Phiếu B"
