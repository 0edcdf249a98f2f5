-- Drafts of every form that keeps one (db/drafts.py FormName).
--
-- V012 allowed the sweep and the dispute case forms, V013 any lowercase name, and V014
-- listed the forms it knew of, leaving out the others': a grid worker's draft of a
-- sweep, a case, a referral or a need raised at the window was refused ("violates check
-- constraint"). The list is of every form again.

ALTER TABLE form_draft DROP CONSTRAINT form_draft_form_check,
    ADD CONSTRAINT form_draft_form_check
        CHECK (form IN ('person', 'visit', 'referral', 'need', 'meeting', 'sweep',
                        'dispute_case'));
