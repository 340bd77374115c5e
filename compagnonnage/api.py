"""The one DRF router: each app's endpoints are mounted here (the top module)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.views import MeView
from certification import api as certification_api
from certification import attestation_api
from matching import api as matching_api
from mentors import api as mentors_api
from sessions import api as sessions_api

router = DefaultRouter()
router.register("skills", mentors_api.SkillViewSet, basename="skill")
router.register("blocks", mentors_api.BlockViewSet, basename="block")
router.register("mentors", mentors_api.MentorDirectoryViewSet, basename="mentor")
router.register(
    "mentorship-requests",
    matching_api.MentorshipRequestViewSet,
    basename="mentorship-request",
)
router.register("mentorships", matching_api.MentorshipViewSet, basename="mentorship")
router.register("slots", sessions_api.SlotViewSet, basename="slot")
router.register("me/slots", sessions_api.MySlotViewSet, basename="me-slot")
router.register("venues", sessions_api.VenueViewSet, basename="venue")
router.register("bookings", sessions_api.BookingViewSet, basename="booking")
router.register("waitlist", sessions_api.WaitlistViewSet, basename="waitlist")
router.register(
    "reschedule-requests",
    sessions_api.RescheduleRequestViewSet,
    basename="reschedule-request",
)
router.register(
    "endorsements", certification_api.EndorsementViewSet, basename="endorsement"
)
router.register(
    "observed-tasks", certification_api.ObservedTaskViewSet, basename="observed-task"
)
router.register(
    "task-observations",
    certification_api.TaskObservationViewSet,
    basename="task-observation",
)
router.register(
    "attestation-requests",
    certification_api.AttestationRequestViewSet,
    basename="attestation-request",
)
router.register(  # issue 19
    "attestations", attestation_api.AttestationViewSet, basename="attestation"
)

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path(
        "me/mentor-profile/",
        mentors_api.MentorProfileMeView.as_view(),
        name="me-mentor-profile",
    ),
    path(
        "me/mentor-profile/submit/",
        mentors_api.MentorProfileSubmitView.as_view(),
        name="me-mentor-profile-submit",
    ),
    path(
        "me/learner-profile/",
        mentors_api.LearnerProfileMeView.as_view(),
        name="me-learner-profile",
    ),
    path(
        "me/suggestions/",
        matching_api.SuggestionsMeView.as_view(),
        name="me-suggestions",
    ),
    path(
        "me/availability/",
        sessions_api.AvailabilityMeView.as_view(),
        name="me-availability",
    ),
    path(
        "me/calendar-feed/",
        sessions_api.CalendarFeedMeView.as_view(),
        name="me-calendar-feed",
    ),
    path("reports/", mentors_api.ReportCreateView.as_view(), name="report-create"),
    *router.urls,
]
