import { registry } from "@web/core/registry";

/**
 * A customer opens a reminder's "Pay now" page without logging in and pays everything it
 * asks at once with Odoo's demo payment provider. Run by
 * dunning_ai/tests/test_pay_page_payment.py, which creates the reminder of three invoices.
 */
registry.category("web_tour.tours").add("dunning_ai_pay_tour", {
    steps: () => [
        {
            content: "The page asks for the three invoices at once",
            trigger: '.o_dunning_pay_form .o_dunning_pay_amount:contains("$1,750.00")',
        },
        {
            content: "Choose the demo payment method",
            trigger: 'input[name="o_payment_radio"][data-provider-code="demo"]',
            run: "click",
        },
        {
            content: "Enter the (test) card number",
            trigger: "#customer_input",
            run: "edit 4242424242424242",
        },
        {
            content: "Pay",
            trigger: 'button[name="o_payment_submit_button"]:enabled',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The payment is confirmed",
            trigger: '.alert-success:contains("Your payment has been processed")',
        },
    ],
});
