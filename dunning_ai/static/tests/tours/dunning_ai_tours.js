import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * Browser tours of Dunning AI, run by dunning_ai/tests/test_tour.py in headless Chromium.
 * The data they expect (customer "Harbour Marine Ltd", its overdue invoice and a reminder
 * waiting for approval) is created by the test.
 */

const CUSTOMER = "Harbour Marine Ltd";

/** Collections > Operations > Actions, from anywhere in the web client. */
function openDunningActions() {
    return [
        ...stepUtils.goToAppSteps("dunning_ai.menu_dunning_root", "Open the Collections app"),
        {
            content: "Open the Operations menu",
            trigger: '.o_main_navbar [data-menu-xmlid="dunning_ai.menu_dunning_operations"]',
            run: "click",
        },
        {
            content: "Open the dunning actions",
            trigger: '.dropdown-item[data-menu-xmlid="dunning_ai.menu_dunning_actions"]',
            run: "click",
        },
        {
            content: "The actions list shows the customer's reminder",
            trigger: `.o_list_view .o_data_row td[name=partner_id]:contains("${CUSTOMER}")`,
        },
    ];
}

registry.category("web_tour.tours").add("dunning_ai_menus_tour", {
    url: "/odoo",
    steps: () => [
        ...openDunningActions(),
        {
            content: "The reminder waits for approval",
            trigger: '.o_list_view .o_data_row td[name=state]:contains("To Approve")',
        },
    ],
});

/**
 * The main path of a collector: the customer, then the reminders the engine planned for
 * them and the reasons of one of them.
 */
registry.category("web_tour.tours").add("dunning_ai_main_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        {
            content: "Open the Customers menu",
            trigger: '.o_main_navbar [data-menu-xmlid="account.menu_finance_receivables"]',
            run: "click",
        },
        {
            content: "Open the customers",
            trigger: '.dropdown-item[data-menu-xmlid="account.menu_account_customer"]',
            run: "click",
        },
        {
            content: "Search the high-risk customer",
            trigger: ".o_searchview_input",
            run: `edit ${CUSTOMER}`,
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Open the customer",
            trigger: `.o_list_view .o_data_row:only-child .o_data_cell:contains("${CUSTOMER}")`,
            run: "click",
        },
        {
            content: "The customer form is open",
            trigger: `.o_form_view .o_field_widget[name=name] input:value("${CUSTOMER}")`,
        },
        ...openDunningActions(),
        {
            content: "Open the reminder waiting for approval",
            // a plain cell: a customer cell may be a link to the customer
            trigger: `.o_list_view .o_data_row:has(td[name=state]:contains("To Approve")) td[name=planned_at]`,
            run: "click",
        },
        {
            content: "The action form says the reminder waits for approval",
            // the status bar folds into a dropdown when the header is crowded: match either form
            trigger: '.o_form_view .o_statusbar_status:contains("To Approve")',
        },
        {
            content: "The engine's reasons are shown",
            trigger:
                '.o_form_view .o_field_widget[name=reason] textarea:value("paid late"), ' +
                '.o_form_view .o_field_widget[name=reason]:contains("paid late")',
        },
        {
            content: "Open the invoices the reminder is about",
            trigger: '.o_form_view .o_notebook a.nav-link[name=invoices]',
            run: "click",
        },
        {
            content: "The overdue invoice is listed",
            trigger: ".o_form_view .o_field_widget[name=move_ids] .o_data_row",
        },
    ],
});
