"""The guidance page's first content (issue 15, item 8): plain English, GOV.UK style, general
to every borough. Administrators edit, reorder or hide each section in the admin; this
migration only adds sections whose address (slug) is not there yet, and its reverse removes
only sections nobody has edited."""

from django.db import migrations

SECTIONS = [
    ("what-counts-as-abuse", "What counts as abuse or neglect", """\
Abuse is anything that harms a person or puts them at risk of harm, done by someone else or by a system that should care for them. It can happen once or keep happening. It can be done on purpose or through not knowing better.

For adults with care and support needs, the Care Act 2014 statutory guidance describes these kinds of abuse and neglect:

- physical abuse, such as hitting, pushing, or the wrong use of medicine or restraint
- domestic abuse, including coercive control and so-called honour-based abuse
- sexual abuse, including sexual exploitation
- psychological or emotional abuse, such as threats, humiliation or isolation
- financial or material abuse, such as theft, scams or pressure about wills and property
- modern slavery
- discriminatory abuse, because of race, religion, disability, sex, sexuality or age
- organisational abuse, where the way a care setting is run causes harm
- neglect, such as not giving needed care, food, medicine or help
- self-neglect, where a person does not look after their own health, hygiene or home and this puts them at risk

For children, Working Together to Safeguard Children 2023 describes four main kinds: physical abuse, emotional abuse, sexual abuse (including exploitation) and neglect. Children can also be harmed outside the home, for example by criminal exploitation or online.

You do not need proof to make a referral. Tell us what you saw, heard or were told, and let the team decide what happens next."""),
    ("levels-of-need", "Levels of need (children)", """\
The safeguarding children partnership's threshold document describes levels of need. It helps you decide whether a child needs a referral to the Multi-Agency Safeguarding Hub (MASH) or help from somewhere else. In short:

- Level 1, universal: the child's needs are met by everyday services such as school, nursery and the GP
- Level 2, early help: the child or family has extra needs that a single service or early help can meet, with the family's agreement
- Level 3, targeted or complex: several services need to work together, and the child may be a child in need under section 17 of the Children Act 1989
- Level 4, specialist or acute: the child is suffering, or likely to suffer, significant harm; this is a child protection matter under section 47

If you think a child is at level 3 or 4, make a referral. If you are not sure, you can ask the team for advice before referring. If a child is in immediate danger, call 999."""),
    ("section-42", "Section 42 enquiries (adults)", """\
Section 42 of the Care Act 2014 says the council must make enquiries, or ask others to, when it has reason to think an adult in its area:

- has needs for care and support (whether or not anyone is meeting them)
- is experiencing, or is at risk of, abuse or neglect
- as a result of those needs, is unable to protect themselves from the abuse or neglect, or the risk of it

All three must be true for a section 42 enquiry. When they are not, the team may still help in another way, for example with advice, an assessment of needs, or a referral to another service. The team will tell you which of these happened and why.

The form asks about care and support needs and whether the person can protect themselves because the team needs those answers to decide."""),
    ("cuckooing", "Cuckooing", """\
Cuckooing is when criminals take over the home of a vulnerable person, often to deal drugs, store weapons or stay out of sight. People targeted often have a learning disability, mental ill health, a drug or alcohol problem, or are lonely or older.

Signs to look out for:

- new people coming and going at all hours
- the person seems afraid, or says they have new "friends"
- more cars or bikes outside, or people hanging around
- the person is missing appointments or their home is suddenly neglected
- signs of drug use or drug dealing in the home

If you are worried, make a referral and tell the police. If someone is in immediate danger, call 999; otherwise call the police on 101."""),
    ("modern-slavery", "Modern slavery and human trafficking", """\
Modern slavery is when someone is forced, tricked or threatened into work or services they cannot leave, including sexual exploitation, domestic servitude, forced labour and forced criminal activity such as drug running. Human trafficking is moving people for that purpose. It can happen to adults and children, including British citizens.

Signs can include someone who:

- is not in control of their own passport, money or phone
- lives at their place of work, or with many others in poor conditions
- seems afraid of the people they work for, or is never alone
- has injuries they will not explain

For adults, modern slavery is a kind of abuse: make a referral. The council can also refer the person to the National Referral Mechanism, the government's way of identifying and supporting victims; an adult must agree to that referral, a child does not. If someone is in immediate danger, call 999."""),
    ("prevent", "Prevent: worries about radicalisation", """\
Prevent is part of the government's counter-terrorism strategy. It aims to stop people being drawn into terrorism by offering support early, before any crime. It is about safeguarding, not criminalising.

You might be worried if someone:

- expresses support for violence or for a terrorist group
- starts to spend time with people, or online spaces, that promote extremist views
- becomes isolated, angry or hostile towards other groups
- talks about harming others because of their beliefs

If you are worried, talk to your organisation's safeguarding lead. A Prevent referral goes to the police's Prevent team and can lead to support through the council's Channel panel. Use this portal too if the person also needs safeguarding because of abuse or neglect. If there is an immediate risk, call 999."""),
    ("suicide-prevention", "Suicide prevention", """\
If someone tells you they are thinking about suicide, take it seriously. Asking directly about suicide does not put the idea in their head, and it can help them talk.

What to do:

- if they have harmed themselves or are in immediate danger, call 999 or go to A&E
- if they need urgent help but are not in immediate danger, call NHS 111 and choose the mental health option
- stay with them, listen, and help them make a plan to stay safe
- tell them about Samaritans, who listen day or night on 116 123 (free)

Make a safeguarding referral as well when the person is also being abused or neglected, or when a child is at risk. Tell your organisation's safeguarding lead."""),
    ("training-dates", "Training dates", """\
The Safeguarding Adults Board and the Safeguarding Children Partnership run free training for people who work or volunteer in the borough, including introductions to safeguarding adults and children, making a good referral, and Prevent awareness.

No dates are published here yet. Ask your organisation's safeguarding lead, or look on the council's website, for the next dates."""),
]


def add_sections(apps, schema_editor):
    GuidanceSection = apps.get_model("learning", "GuidanceSection")
    for order, (slug, title, body) in enumerate(SECTIONS, start=1):
        GuidanceSection.objects.get_or_create(
            slug=slug, defaults={"title": title, "body": body, "order": order * 10})


def remove_sections(apps, schema_editor):
    GuidanceSection = apps.get_model("learning", "GuidanceSection")
    for slug, title, body in SECTIONS:
        GuidanceSection.objects.filter(slug=slug, title=title, body=body).delete()


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]
    operations = [migrations.RunPython(add_sections, remove_sections)]
