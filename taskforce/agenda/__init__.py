"""The agenda of each meeting and its papers: building, commissioning, chasing."""
