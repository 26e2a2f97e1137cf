from django.conf import settings


def service(request):
    """Service name and the reader's display preferences (text size, contrast) for every page."""
    return {
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "brand_colour": settings.PORTAL_BRAND_COLOUR,
        "logo_url": settings.PORTAL_LOGO_URL,
        "display_large_text": request.COOKIES.get("display_text") == "large",
        "display_high_contrast": request.COOKIES.get("display_contrast") == "high",
    }
