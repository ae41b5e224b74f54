"""Texts about rights, cost, papers and confidentiality (English sources, marked N_).

The lead merges `MESSAGES_RIGHTS` into the registry of `messages.py`; the
entitlements query renders its summaries from these keys through the catalogs:
- labels for the structured fields (entitled, cost, documents, situation, contacts);
- `rights_guidance_*`: how to access, per sample entitlement (sample content,
  SAMPLE — to be reviewed by a local partner).
"""
from __future__ import annotations

from .messages import Message, N_

ENTITLED_TEXT = {
    "yes": "rights_entitled_yes",
    "no": "rights_entitled_no",
    "partial": "rights_entitled_partial",
    "emergency_only": "rights_entitled_emergency_only",
}
COST_TEXT = {
    "free": "rights_cost_free",
    "copay": "rights_cost_copay",
    "fee": "rights_cost_fee",
    "varies": "rights_cost_varies",
}
SITUATION_TEXT = {
    "regular": "rights_situation_regular",
    "irregular": "rights_situation_irregular",
    "asylum_seeker": "rights_situation_asylum_seeker",
    "pregnant": "rights_situation_pregnant",
    "minor": "rights_situation_minor",
    "transit": "rights_situation_transit",
}
DOCUMENT_NAMES = {
    "any_id": "rights_doc_any_id",
    "passport": "rights_doc_passport",
    "national_id_of_origin": "rights_doc_national_id_of_origin",
    "ppt_colombia": "rights_doc_ppt_colombia",
    "carnet_extranjeria": "rights_doc_carnet_extranjeria",
    "cpf_or_sus_card": "rights_doc_cpf_or_sus_card",
    "proof_of_address": "rights_doc_proof_of_address",
    "referral": "rights_doc_referral",
    "migration_status_document": "rights_doc_migration_status_document",
    "sis_affiliation": "rights_doc_sis_affiliation",
    "health_card": "rights_doc_health_card",
}
CONTACT_LABELS = {
    "emergency": "rights_contact_emergency",
    "ambulance": "rights_contact_ambulance",
    "police": "rights_contact_police",
    "gbv": "rights_contact_gbv",
    "suicide": "rights_contact_suicide",
    "mental_health": "rights_contact_mental_health",
    "health_line": "rights_contact_health_line",
    "migrant_help": "rights_contact_migrant_help",
    "ngo_hotline": "rights_contact_ngo",
    "regional": "rights_contact_regional",
}

MESSAGES_RIGHTS: dict[str, Message] = {
    # Entitled
    "rights_entitled_yes": Message(N_("You have the right to this care.")),
    "rights_entitled_no": Message(N_("This care is not covered for you by the public system.")),
    "rights_entitled_partial": Message(N_("You have the right to part of this care.")),
    "rights_entitled_emergency_only": Message(N_("Only emergency care is covered for you.")),
    # Cost
    "rights_cost_free": Message(N_("It is free in public services.")),
    "rights_cost_copay": Message(N_("You may pay a small part of the cost.")),
    "rights_cost_fee": Message(N_("There is a fee.")),
    "rights_cost_varies": Message(N_("The cost depends on the place and your situation.")),
    # Documents
    "rights_documents_none": Message(N_("You do not need papers for this.")),
    "rights_documents_list": Message(N_("Papers they may ask for: {documents}.")),
    "rights_doc_any_id": Message(N_("any ID")),
    "rights_doc_passport": Message(N_("passport")),
    "rights_doc_national_id_of_origin": Message(N_("ID card from your country")),
    "rights_doc_ppt_colombia": Message(N_("PPT (Colombia's temporary protection permit)")),
    "rights_doc_carnet_extranjeria": Message(N_("foreigner's card (carné de extranjería)")),
    "rights_doc_cpf_or_sus_card": Message(N_("SUS card (made free at the clinic) or CPF")),
    "rights_doc_proof_of_address": Message(N_("proof of address")),
    "rights_doc_referral": Message(N_("a referral from a clinic")),
    "rights_doc_migration_status_document": Message(N_("a document showing your migration status")),
    "rights_doc_sis_affiliation": Message(N_("SIS health insurance registration")),
    "rights_doc_health_card": Message(N_("health card of the clinic")),
    # Situations
    "rights_situation_regular": Message(N_("With regular migration status:")),
    "rights_situation_irregular": Message(N_("Without regular papers:")),
    "rights_situation_asylum_seeker": Message(N_("If you asked for asylum or refuge:")),
    "rights_situation_pregnant": Message(N_("If you are pregnant:")),
    "rights_situation_minor": Message(N_("For children and teenagers under 18:")),
    "rights_situation_transit": Message(N_("If you are passing through the country:")),
    # Contacts
    "rights_contact_emergency": Message(N_("Emergencies")),
    "rights_contact_ambulance": Message(N_("Ambulance")),
    "rights_contact_police": Message(N_("Police")),
    "rights_contact_gbv": Message(N_("Help for violence against women")),
    "rights_contact_suicide": Message(N_("Emotional support and suicide prevention")),
    "rights_contact_mental_health": Message(N_("Mental health line")),
    "rights_contact_health_line": Message(N_("Health information")),
    "rights_contact_migrant_help": Message(N_("Help for migrants")),
    "rights_contact_ngo": Message(N_("Talk to a person (NGO)")),
    "rights_contact_regional": Message(N_("Help for refugees and migrants in the region")),
    # How to access (sample content per country; SAMPLE, to be reviewed locally)
    "rights_guidance_emergency_any": Message(N_(
        "In an emergency, go to the nearest hospital. They must give you first care, "
        "even without papers.")),
    "rights_guidance_co_eps": Message(N_(
        "With your PPT you can join a health insurer (EPS). Once enrolled you get the full "
        "care plan: doctor visits, tests and prenatal checks.")),
    "rights_guidance_co_irregular_serious": Message(N_(
        "Without papers you still get emergency care, diagnosis and care for serious "
        "illness when your life is at risk. Ask about the PPT to get full care.")),
    "rights_guidance_co_irregular_birth": Message(N_(
        "Without papers, hospitals must care for you in an emergency, including giving "
        "birth. Ask about the PPT to get regular pregnancy checks.")),
    "rights_guidance_br_sus": Message(N_(
        "Go to a UBS health post. Public care (SUS) is free for everyone, whatever your "
        "migration status. Bring an ID if you have one; they can make your SUS card there.")),
    "rights_guidance_br_emergency": Message(N_(
        "In an emergency go to a UPA or a public hospital, or call 192. They will see you "
        "even without papers.")),
    "rights_guidance_br_confidential": Message(N_(
        "By law, health services may not reveal that you live with HIV or have TB. They may "
        "share it only when a law requires it or you agree in writing.")),
    "rights_guidance_pe_sis": Message(N_(
        "HIV and TB medicines are free in public health centres. Since 2024 a law lets "
        "foreigners with HIV or TB join SIS insurance with a passport, ID card, PTP, "
        "refugee card or a sworn statement.")),
    "rights_guidance_pe_cem": Message(N_(
        "Call Linea 100 (free, 24 hours) or go to a Centro Emergencia Mujer (CEM) for free "
        "legal, social and psychological help.")),
    "rights_guidance_ec_msp": Message(N_(
        "Go to a public health centre of the Ministry of Public Health (MSP). Public health "
        "care is free, and foreigners have the same rights as Ecuadorians.")),
    "rights_guidance_do_hiv": Message(N_(
        "Law 135-11 protects everyone living with HIV in the country, of any nationality: "
        "you have the right to care without discrimination.")),
    "rights_guidance_do_hiv_test": Message(N_(
        "An HIV test is your choice. An employer may not ask you for one.")),
    "rights_guidance_do_hiv_confidential": Message(N_(
        "Law 135-11 forbids revealing that a person lives with HIV without their consent.")),
    "rights_guidance_do_migration_checks": Message(N_(
        "Since April 2025 migration agents work in 33 public hospitals and check papers "
        "after care. People without papers get urgent care but may be deported after they "
        "leave. Talk to an NGO before you go if you can.")),
    "rights_guidance_do_emergency": Message(N_(
        "Public hospitals give urgent care first. Without papers they may ask for ID, a work "
        "letter and proof of address, and charge a fee.")),
    "rights_guidance_tt_public": Message(N_(
        "The Ministry of Health said migrants get the same free public health care as "
        "nationals, especially for HIV and STIs. Go to a public health centre.")),
    "rights_guidance_gy_public": Message(N_(
        "The Ministry of Public Health gives care to Venezuelan migrants at health centres "
        "and hospitals. Go to the nearest public health centre.")),
}
