import { Message } from "@mail/core/common/message";
import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

const INTENT_LABELS = {
    paid_already: _t("Paid already"),
    promise_to_pay: _t("Promise to pay"),
    dispute: _t("Dispute"),
    hardship: _t("Hardship"),
    copy_request: _t("Asks for a copy"),
    out_of_office: _t("Out of office"),
    other: _t("Other"),
};

/** Show on a customer's reply how Dunning AI read it (intent and confidence). */
patch(Message.prototype, {
    get dunningIntentLabel() {
        return INTENT_LABELS[this.message.dunning_intent] || this.message.dunning_intent;
    },
});
