"""What patients send and coordinators handle: the enquiry form, its records and notifications."""
