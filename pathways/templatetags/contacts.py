"""`{% load contacts %}{% phone_numbers %}`: the teams' phone numbers as a table, the same on
every page (pathways.contacts)."""

from django import template

from pathways.contacts import phone_numbers as read_phone_numbers

register = template.Library()


@register.inclusion_tag("pathways/_phone_numbers.html")
def phone_numbers(caption="Phone numbers"):
    pathway_contacts, edt_contacts = read_phone_numbers()
    return {"contacts": pathway_contacts + edt_contacts, "caption": caption}
