"""Build ``replies.csv``, the labelled customer replies the intent classifier learns from.

Hand-written phrasings per intent and language, filled deterministically with invoice
numbers, amounts, dates and names, and wrapped in varied greetings and sign-offs.
Each row keeps the id of its phrasing (``group``) so that the benchmark can hold out
whole phrasings, not just re-filled copies of phrasings seen in training.

Run: ``python generate_replies.py`` (rewrites ``replies.csv`` next to this file).
"""

import csv
import random
from pathlib import Path

SEED = 20261123
COPIES = 5

PHRASES = {
    "en": {
        "paid_already": [
            "We already paid invoice {inv} on {date}, please check your bank account.",
            "This invoice was settled last week by bank transfer. Attached is the remittance advice.",
            "Our accounts team confirms that {inv} was paid in full on {date}.",
            "I think there is a mistake, we paid {amount} on {date}. Can you check on your side?",
            "Payment for {inv} went out on {date}, reference {inv}. It should be on your account by now.",
            "We have no open balance with you, everything was paid. Please update your records.",
            "The transfer of {amount} was executed on {date}. See the proof of payment attached.",
            "Hi, this one is already paid. Our bank shows the debit on {date}.",
            "Please check again, the amount of {amount} was wired to your IBAN a few days ago.",
            "We paid this by card through your portal yesterday, you should have received it.",
            "Invoice {inv} has been paid, the payment crossed with your reminder.",
            "According to our ledger this invoice is closed, paid on {date}.",
        ],
        "promise_to_pay": [
            "We will pay invoice {inv} on {date}.",
            "Sorry for the delay, the payment of {amount} will be made by {date}.",
            "Our next payment run is on {date}, your invoice is included.",
            "I will make the transfer next Friday.",
            "We'll settle the balance by the end of the month.",
            "The invoice is approved and will be paid in 2 weeks.",
            "Thanks for the reminder, we will pay {amount} within the next 10 days.",
            "Payment is scheduled for {date}, you will receive it then.",
            "Apologies, it slipped through. I'll pay it tomorrow.",
            "We can pay {amount} now and the rest on {date}.",
            "Our finance director will sign the payment on Monday, expect it next week.",
            "We'll transfer the full amount as soon as our client pays us, around {date}.",
        ],
        "dispute": [
            "We dispute invoice {inv}: the goods arrived damaged.",
            "The amount on {inv} does not match the quote we signed, we will not pay it as is.",
            "We never received the items billed on {inv}.",
            "The service was not delivered as agreed, so we contest this invoice.",
            "You invoiced 10 hours but only 6 were worked. Please send a corrected invoice.",
            "Invoice {inv} was billed twice, we only owe it once.",
            "We returned the goods last month and are waiting for a credit note for {inv}.",
            "The price on this invoice is wrong, our contract says {amount}.",
            "We have a complaint open about the quality of the delivery, payment is on hold until it is resolved.",
            "This invoice is not ours, we never ordered anything from you.",
            "The discount we agreed on is missing from {inv}, please correct it.",
            "We disagree with the late fees added to {inv}.",
        ],
        "hardship": [
            "We are going through a difficult period and cannot pay the full amount right now.",
            "Our business has been hit hard, could we arrange a payment plan for {amount}?",
            "I lost my job last month and cannot pay at the moment. Can we talk about instalments?",
            "Cash flow is very tight since our main customer went bankrupt. We need more time.",
            "We are in financial difficulty, is it possible to pay in monthly instalments?",
            "Due to illness I have not been able to work, I would like to spread the payments.",
            "Our company has entered a restructuring procedure, all payments are frozen for now.",
            "We simply do not have the money at the moment. Please give us a few months.",
            "Could you accept {amount} per month until the balance is cleared? Things are hard for us.",
            "Sales have collapsed this quarter and we are struggling to pay our suppliers.",
            "We want to pay but cannot afford it now, can we agree on a schedule?",
            "The bank has refused our credit line, we need an arrangement for the outstanding invoices.",
        ],
        "copy_request": [
            "Could you send me a copy of invoice {inv}? I can't find it.",
            "Please resend the invoice, we never received it.",
            "Can you send us the PDF of {inv} so we can process it?",
            "We need a duplicate of the invoice with our PO number on it.",
            "I don't have this invoice in our system, please email it again.",
            "Please send all open invoices to our accounts payable mailbox.",
            "Could you forward the original invoice {inv}? The attachment was missing.",
            "Kindly send a copy of the invoices listed in your reminder.",
            "We can't pay without the invoice, please send it to me.",
            "Can I get a statement of account and copies of the invoices?",
            "Our accountant asks for a copy of {inv}, thanks.",
            "The link does not work, please send the invoice as an attachment.",
        ],
        "out_of_office": [
            "I am out of the office until {date} with limited access to email.",
            "Thank you for your message. I am on annual leave and will be back on {date}.",
            "Automatic reply: I'm away until {date}. For urgent matters contact our office.",
            "I'm currently travelling and will respond when I return on {date}.",
            "Out of office: back on Monday. Your email will not be forwarded.",
            "I am on parental leave until {date}. Please contact accounts@{company}.com.",
            "Auto-reply: our office is closed for the holidays and reopens on {date}.",
            "Thanks for your email. I am away this week and will reply next week.",
            "I am attending a conference until {date}, replies may be delayed.",
            "This mailbox is not monitored until {date}. Please resend after that date.",
            "I'm off sick at the moment, I will get back to you as soon as possible.",
            "Automatic reply: I no longer work at {company}. Please contact my colleague.",
        ],
        "other": [
            "Who is my contact person at your company for orders?",
            "Please update our billing address to the new office.",
            "Can you tell me if you will be at the trade fair next month?",
            "Please remove me from this mailing list, I am not the right person.",
            "We would like to order more of the same product, can you send a quote?",
            "What are your opening hours during the holidays?",
            "Our VAT number has changed, please use the new one on future invoices.",
            "Thanks for the great service last month, the team was very happy.",
            "Can you set up a meeting to discuss next year's contract?",
            "Please add my colleague in copy of future emails.",
            "Is it possible to change the delivery date of our next order?",
            "Could you confirm your bank details by phone? We had a fraud attempt.",
        ],
    },
    "fr": {
        "paid_already": [
            "Nous avons déjà réglé la facture {inv} le {date}, merci de vérifier.",
            "Cette facture a été payée par virement la semaine dernière, vous trouverez l'avis de paiement en pièce jointe.",
            "Notre service comptable confirme que la facture {inv} a été payée le {date}.",
            "Il doit y avoir une erreur, nous avons payé {amount} le {date}.",
            "Le paiement de {inv} est parti le {date}, il devrait être sur votre compte.",
            "Nous n'avons aucun solde ouvert chez vous, tout a été payé.",
            "Le virement de {amount} a été exécuté le {date}, voici la preuve de paiement.",
            "Bonjour, celle-ci est déjà payée, notre banque montre le débit le {date}.",
            "Merci de revérifier, le montant de {amount} a été viré sur votre IBAN il y a quelques jours.",
            "Nous avons payé par carte sur votre portail hier.",
            "La facture {inv} est réglée, le paiement a croisé votre relance.",
            "D'après notre comptabilité cette facture est soldée depuis le {date}.",
        ],
        "promise_to_pay": [
            "Nous réglerons la facture {inv} le {date}.",
            "Désolé pour le retard, le paiement de {amount} sera effectué d'ici le {date}.",
            "Notre prochaine campagne de paiement a lieu le {date}, votre facture y est incluse.",
            "Je ferai le virement vendredi prochain.",
            "Nous réglerons le solde à la fin du mois.",
            "La facture est validée et sera payée dans 2 semaines.",
            "Merci pour le rappel, nous paierons {amount} dans les 10 jours.",
            "Le paiement est programmé pour le {date}.",
            "Toutes nos excuses, c'est un oubli. Je paie demain.",
            "Nous pouvons payer {amount} maintenant et le reste le {date}.",
            "Notre directeur financier signera le paiement lundi, vous le recevrez la semaine prochaine.",
            "Nous vous virerons la totalité dès que notre client nous paie, vers le {date}.",
        ],
        "dispute": [
            "Nous contestons la facture {inv} : la marchandise est arrivée endommagée.",
            "Le montant de la facture {inv} ne correspond pas au devis signé, nous ne la paierons pas en l'état.",
            "Nous n'avons jamais reçu les articles facturés sur {inv}.",
            "La prestation n'a pas été réalisée comme convenu, nous contestons cette facture.",
            "Vous avez facturé 10 heures alors que seulement 6 ont été faites. Merci d'envoyer une facture corrigée.",
            "La facture {inv} a été facturée deux fois.",
            "Nous avons retourné la marchandise le mois dernier et attendons un avoir pour {inv}.",
            "Le prix sur cette facture est faux, notre contrat prévoit {amount}.",
            "Une réclamation sur la qualité de la livraison est en cours, le paiement est suspendu.",
            "Cette facture ne nous concerne pas, nous n'avons rien commandé.",
            "La remise convenue n'apparaît pas sur {inv}, merci de corriger.",
            "Nous refusons les pénalités de retard ajoutées sur {inv}.",
        ],
        "hardship": [
            "Nous traversons une période difficile et ne pouvons pas payer la totalité pour le moment.",
            "Notre activité a beaucoup souffert, pourrions-nous mettre en place un échéancier pour {amount} ?",
            "J'ai perdu mon emploi le mois dernier et je ne peux pas payer actuellement. Peut-on parler d'un paiement en plusieurs fois ?",
            "Notre trésorerie est très tendue depuis la faillite de notre principal client. Il nous faut plus de temps.",
            "Nous sommes en difficulté financière, est-il possible de payer en mensualités ?",
            "Pour raison de maladie je n'ai pas pu travailler, je souhaiterais étaler les paiements.",
            "Notre société est en procédure de sauvegarde, tous les paiements sont gelés.",
            "Nous n'avons tout simplement pas l'argent en ce moment. Accordez-nous quelques mois.",
            "Accepteriez-vous {amount} par mois jusqu'à l'apurement du solde ? C'est compliqué pour nous.",
            "Nos ventes se sont effondrées ce trimestre et nous avons du mal à payer nos fournisseurs.",
            "Nous voulons payer mais nous n'en avons pas les moyens maintenant, pouvons-nous convenir d'un calendrier ?",
            "La banque a refusé notre ligne de crédit, nous avons besoin d'un arrangement.",
        ],
        "copy_request": [
            "Pourriez-vous m'envoyer une copie de la facture {inv} ? Je ne la trouve pas.",
            "Merci de renvoyer la facture, nous ne l'avons jamais reçue.",
            "Pouvez-vous nous envoyer le PDF de {inv} pour que nous puissions la traiter ?",
            "Il nous faut un duplicata de la facture avec notre numéro de commande.",
            "Je n'ai pas cette facture dans notre système, merci de la renvoyer par mail.",
            "Merci d'envoyer toutes les factures ouvertes à notre service fournisseurs.",
            "Pourriez-vous nous transmettre l'original de la facture {inv} ? La pièce jointe manquait.",
            "Merci de nous faire parvenir une copie des factures listées dans votre relance.",
            "Nous ne pouvons pas payer sans la facture, merci de me l'envoyer.",
            "Puis-je avoir un relevé de compte et les copies des factures ?",
            "Notre comptable demande une copie de {inv}, merci.",
            "Le lien ne fonctionne pas, envoyez-moi la facture en pièce jointe s'il vous plaît.",
        ],
        "out_of_office": [
            "Je suis absent du bureau jusqu'au {date} avec un accès limité à mes mails.",
            "Merci pour votre message. Je suis en congés et serai de retour le {date}.",
            "Réponse automatique : je suis absent jusqu'au {date}. Pour toute urgence contactez l'accueil.",
            "Je suis en déplacement et vous répondrai à mon retour le {date}.",
            "Absent du bureau : de retour lundi. Votre mail ne sera pas transféré.",
            "Je suis en congé maternité jusqu'au {date}. Merci de contacter compta@{company}.fr.",
            "Réponse automatique : nos bureaux sont fermés pour les fêtes et rouvrent le {date}.",
            "Merci de votre mail. Je suis absent cette semaine et vous répondrai la semaine prochaine.",
            "Je participe à un salon jusqu'au {date}, mes réponses pourront être retardées.",
            "Cette boîte n'est pas consultée avant le {date}. Merci de renvoyer votre message après cette date.",
            "Je suis en arrêt maladie, je reviendrai vers vous dès que possible.",
            "Réponse automatique : je ne fais plus partie de {company}. Merci de contacter ma collègue.",
        ],
        "other": [
            "Qui est mon interlocuteur chez vous pour les commandes ?",
            "Merci de mettre à jour notre adresse de facturation avec le nouveau bureau.",
            "Serez-vous présents au salon le mois prochain ?",
            "Merci de me retirer de cette liste, je ne suis pas la bonne personne.",
            "Nous aimerions commander à nouveau le même produit, pouvez-vous nous faire un devis ?",
            "Quels sont vos horaires pendant les vacances ?",
            "Notre numéro de TVA a changé, merci d'utiliser le nouveau sur les prochaines factures.",
            "Merci pour l'excellent service du mois dernier, l'équipe était ravie.",
            "Pouvons-nous fixer une réunion pour discuter du contrat de l'année prochaine ?",
            "Merci de mettre ma collègue en copie des prochains échanges.",
            "Est-il possible de décaler la date de livraison de notre prochaine commande ?",
            "Pourriez-vous confirmer vos coordonnées bancaires par téléphone ? Nous avons eu une tentative de fraude.",
        ],
    },
    "de": {
        "paid_already": [
            "Wir haben die Rechnung {inv} bereits am {date} bezahlt, bitte prüfen Sie Ihr Konto.",
            "Diese Rechnung wurde letzte Woche per Überweisung beglichen. Der Zahlungsavis liegt bei.",
            "Unsere Buchhaltung bestätigt, dass {inv} am {date} vollständig bezahlt wurde.",
            "Da liegt ein Irrtum vor, wir haben {amount} am {date} überwiesen.",
            "Die Zahlung für {inv} ist am {date} rausgegangen und sollte bei Ihnen eingegangen sein.",
            "Bei uns ist kein offener Posten mehr, alles wurde bezahlt.",
            "Die Überweisung über {amount} wurde am {date} ausgeführt, anbei der Zahlungsnachweis.",
            "Hallo, die ist schon bezahlt. Unsere Bank zeigt die Abbuchung am {date}.",
            "Bitte prüfen Sie noch einmal, der Betrag von {amount} wurde vor ein paar Tagen auf Ihre IBAN überwiesen.",
            "Wir haben gestern per Karte über Ihr Portal bezahlt.",
            "Rechnung {inv} ist beglichen, die Zahlung hat sich mit Ihrer Mahnung überschnitten.",
            "Laut unserer Buchhaltung ist diese Rechnung seit dem {date} ausgeglichen.",
        ],
        "promise_to_pay": [
            "Wir werden die Rechnung {inv} am {date} bezahlen.",
            "Entschuldigen Sie die Verzögerung, die Zahlung von {amount} erfolgt bis zum {date}.",
            "Unser nächster Zahlungslauf ist am {date}, Ihre Rechnung ist dabei.",
            "Ich überweise den Betrag nächsten Freitag.",
            "Wir begleichen den offenen Betrag bis Ende des Monats.",
            "Die Rechnung ist freigegeben und wird in 2 Wochen bezahlt.",
            "Danke für die Erinnerung, wir zahlen {amount} innerhalb der nächsten 10 Tage.",
            "Die Zahlung ist für den {date} eingeplant.",
            "Entschuldigung, das ist untergegangen. Ich zahle morgen.",
            "Wir können {amount} sofort zahlen und den Rest am {date}.",
            "Unser Geschäftsführer gibt die Zahlung am Montag frei, Sie erhalten sie nächste Woche.",
            "Wir überweisen den vollen Betrag, sobald unser Kunde zahlt, etwa am {date}.",
        ],
        "dispute": [
            "Wir widersprechen der Rechnung {inv}: Die Ware kam beschädigt an.",
            "Der Betrag auf {inv} stimmt nicht mit dem unterschriebenen Angebot überein, so zahlen wir nicht.",
            "Die auf {inv} berechneten Artikel haben wir nie erhalten.",
            "Die Leistung wurde nicht wie vereinbart erbracht, daher reklamieren wir diese Rechnung.",
            "Sie haben 10 Stunden berechnet, geleistet wurden nur 6. Bitte schicken Sie eine korrigierte Rechnung.",
            "Die Rechnung {inv} wurde doppelt gestellt.",
            "Wir haben die Ware letzten Monat zurückgeschickt und warten auf eine Gutschrift für {inv}.",
            "Der Preis auf dieser Rechnung ist falsch, laut Vertrag sind es {amount}.",
            "Es läuft eine Reklamation wegen der Lieferqualität, die Zahlung ist bis zur Klärung zurückgestellt.",
            "Diese Rechnung betrifft uns nicht, wir haben nichts bestellt.",
            "Der vereinbarte Rabatt fehlt auf {inv}, bitte korrigieren.",
            "Mit den Mahngebühren auf {inv} sind wir nicht einverstanden.",
        ],
        "hardship": [
            "Wir befinden uns in einer schwierigen Lage und können den vollen Betrag derzeit nicht zahlen.",
            "Unser Geschäft ist stark eingebrochen, können wir eine Ratenzahlung für {amount} vereinbaren?",
            "Ich habe letzten Monat meine Arbeit verloren und kann im Moment nicht zahlen. Ist eine Ratenzahlung möglich?",
            "Seit der Insolvenz unseres Hauptkunden ist die Liquidität sehr knapp. Wir brauchen mehr Zeit.",
            "Wir sind in finanziellen Schwierigkeiten, können wir in monatlichen Raten zahlen?",
            "Wegen Krankheit konnte ich nicht arbeiten und möchte die Zahlungen gerne aufteilen.",
            "Unser Unternehmen befindet sich in einem Sanierungsverfahren, alle Zahlungen sind vorerst eingefroren.",
            "Wir haben das Geld momentan schlicht nicht. Bitte geben Sie uns ein paar Monate.",
            "Wären Sie mit {amount} pro Monat einverstanden, bis alles beglichen ist? Es ist gerade schwer für uns.",
            "Der Umsatz ist in diesem Quartal eingebrochen und wir können unsere Lieferanten kaum bezahlen.",
            "Wir wollen zahlen, können es uns aber gerade nicht leisten. Können wir einen Zahlungsplan vereinbaren?",
            "Die Bank hat unsere Kreditlinie abgelehnt, wir brauchen eine Vereinbarung für die offenen Rechnungen.",
        ],
        "copy_request": [
            "Könnten Sie mir bitte eine Kopie der Rechnung {inv} schicken? Ich finde sie nicht.",
            "Bitte senden Sie die Rechnung erneut, wir haben sie nie erhalten.",
            "Können Sie uns das PDF von {inv} schicken, damit wir sie bearbeiten können?",
            "Wir benötigen ein Duplikat der Rechnung mit unserer Bestellnummer.",
            "Diese Rechnung ist nicht in unserem System, bitte mailen Sie sie noch einmal.",
            "Bitte schicken Sie alle offenen Rechnungen an unsere Kreditorenbuchhaltung.",
            "Könnten Sie die Originalrechnung {inv} weiterleiten? Der Anhang fehlte.",
            "Bitte senden Sie uns eine Kopie der in Ihrer Mahnung genannten Rechnungen.",
            "Ohne Rechnung können wir nicht zahlen, bitte schicken Sie sie mir.",
            "Kann ich einen Kontoauszug und Kopien der Rechnungen bekommen?",
            "Unser Steuerberater bittet um eine Kopie von {inv}, danke.",
            "Der Link funktioniert nicht, bitte senden Sie die Rechnung als Anhang.",
        ],
        "out_of_office": [
            "Ich bin bis zum {date} nicht im Büro und habe nur eingeschränkt Zugriff auf E-Mails.",
            "Vielen Dank für Ihre Nachricht. Ich bin im Urlaub und ab dem {date} wieder da.",
            "Automatische Antwort: Ich bin bis {date} abwesend. In dringenden Fällen wenden Sie sich an die Zentrale.",
            "Ich bin auf Dienstreise und antworte nach meiner Rückkehr am {date}.",
            "Abwesenheitsnotiz: ab Montag wieder erreichbar. Ihre E-Mail wird nicht weitergeleitet.",
            "Ich bin bis zum {date} in Elternzeit. Bitte wenden Sie sich an buchhaltung@{company}.de.",
            "Automatische Antwort: Unser Büro ist über die Feiertage geschlossen und ab dem {date} wieder geöffnet.",
            "Danke für Ihre E-Mail. Ich bin diese Woche nicht da und melde mich nächste Woche.",
            "Ich bin bis zum {date} auf einer Messe, Antworten können sich verzögern.",
            "Dieses Postfach wird bis zum {date} nicht gelesen. Bitte senden Sie Ihre Nachricht danach erneut.",
            "Ich bin zurzeit krankgeschrieben und melde mich so bald wie möglich.",
            "Automatische Antwort: Ich arbeite nicht mehr bei {company}. Bitte wenden Sie sich an meine Kollegin.",
        ],
        "other": [
            "Wer ist bei Ihnen mein Ansprechpartner für Bestellungen?",
            "Bitte ändern Sie unsere Rechnungsadresse auf das neue Büro.",
            "Sind Sie nächsten Monat auf der Messe vertreten?",
            "Bitte nehmen Sie mich aus dem Verteiler, ich bin nicht zuständig.",
            "Wir möchten das gleiche Produkt nachbestellen, können Sie ein Angebot schicken?",
            "Wie sind Ihre Öffnungszeiten über die Feiertage?",
            "Unsere USt-IdNr. hat sich geändert, bitte verwenden Sie die neue auf künftigen Rechnungen.",
            "Vielen Dank für den tollen Service letzten Monat, das Team war sehr zufrieden.",
            "Können wir einen Termin vereinbaren, um den Vertrag für nächstes Jahr zu besprechen?",
            "Bitte setzen Sie meine Kollegin künftig in CC.",
            "Ist es möglich, den Liefertermin unserer nächsten Bestellung zu verschieben?",
            "Könnten Sie Ihre Bankverbindung telefonisch bestätigen? Wir hatten einen Betrugsversuch.",
        ],
    },
    "es": {
        "paid_already": [
            "Ya pagamos la factura {inv} el {date}, por favor revisen su cuenta.",
            "Esta factura se abonó por transferencia la semana pasada. Adjunto el justificante.",
            "Nuestro departamento de contabilidad confirma que {inv} se pagó íntegramente el {date}.",
            "Creo que hay un error, pagamos {amount} el {date}.",
            "El pago de {inv} salió el {date}, ya debería estar en su cuenta.",
            "No tenemos ningún saldo pendiente con ustedes, todo está pagado.",
            "La transferencia de {amount} se ejecutó el {date}, adjunto el comprobante de pago.",
            "Hola, esta ya está pagada. Nuestro banco muestra el cargo el {date}.",
            "Por favor revisen de nuevo, el importe de {amount} se transfirió a su IBAN hace unos días.",
            "Pagamos con tarjeta en su portal ayer.",
            "La factura {inv} está pagada, el pago se cruzó con su recordatorio.",
            "Según nuestra contabilidad esta factura está saldada desde el {date}.",
        ],
        "promise_to_pay": [
            "Pagaremos la factura {inv} el {date}.",
            "Disculpen el retraso, el pago de {amount} se hará antes del {date}.",
            "Nuestra próxima remesa de pagos es el {date}, su factura está incluida.",
            "Haré la transferencia el próximo viernes.",
            "Liquidaremos el saldo a final de mes.",
            "La factura está aprobada y se pagará en 2 semanas.",
            "Gracias por el recordatorio, pagaremos {amount} en los próximos 10 días.",
            "El pago está programado para el {date}.",
            "Perdón, se nos pasó. Lo pago mañana.",
            "Podemos pagar {amount} ahora y el resto el {date}.",
            "Nuestro director financiero firmará el pago el lunes, lo recibirán la próxima semana.",
            "Transferiremos el importe total en cuanto nos pague nuestro cliente, hacia el {date}.",
        ],
        "dispute": [
            "No estamos de acuerdo con la factura {inv}: la mercancía llegó dañada.",
            "El importe de {inv} no coincide con el presupuesto firmado, no la pagaremos así.",
            "Nunca recibimos los artículos facturados en {inv}.",
            "El servicio no se prestó según lo acordado, por eso reclamamos esta factura.",
            "Facturaron 10 horas pero solo se trabajaron 6. Por favor envíen una factura rectificada.",
            "La factura {inv} está duplicada.",
            "Devolvimos la mercancía el mes pasado y esperamos un abono por {inv}.",
            "El precio de esta factura es incorrecto, nuestro contrato dice {amount}.",
            "Tenemos una reclamación abierta por la calidad de la entrega, el pago queda retenido hasta resolverla.",
            "Esta factura no es nuestra, nunca les pedimos nada.",
            "Falta en {inv} el descuento acordado, por favor corríjanlo.",
            "No aceptamos los recargos por demora añadidos a {inv}.",
        ],
        "hardship": [
            "Estamos pasando por un momento difícil y no podemos pagar el importe completo ahora.",
            "Nuestro negocio ha sufrido mucho, ¿podríamos acordar un plan de pagos para {amount}?",
            "Perdí mi trabajo el mes pasado y no puedo pagar por ahora. ¿Podemos hablar de pagar a plazos?",
            "La tesorería está muy ajustada desde que quebró nuestro principal cliente. Necesitamos más tiempo.",
            "Tenemos dificultades económicas, ¿es posible pagar en cuotas mensuales?",
            "Por enfermedad no he podido trabajar, me gustaría fraccionar los pagos.",
            "Nuestra empresa está en concurso de acreedores, todos los pagos están congelados.",
            "Ahora mismo no tenemos el dinero. Por favor, dennos unos meses.",
            "¿Aceptarían {amount} al mes hasta saldar la deuda? Las cosas están difíciles.",
            "Las ventas se han hundido este trimestre y nos cuesta pagar a los proveedores.",
            "Queremos pagar pero ahora no podemos permitírnoslo, ¿podemos acordar un calendario?",
            "El banco nos ha denegado la línea de crédito, necesitamos un acuerdo para las facturas pendientes.",
        ],
        "copy_request": [
            "¿Podrían enviarme una copia de la factura {inv}? No la encuentro.",
            "Por favor reenvíen la factura, nunca la recibimos.",
            "¿Pueden mandarnos el PDF de {inv} para poder tramitarla?",
            "Necesitamos un duplicado de la factura con nuestro número de pedido.",
            "No tengo esta factura en nuestro sistema, por favor envíenla de nuevo por correo.",
            "Por favor envíen todas las facturas pendientes a nuestro departamento de proveedores.",
            "¿Podrían reenviar la factura original {inv}? Faltaba el adjunto.",
            "Les ruego nos envíen copia de las facturas indicadas en su recordatorio.",
            "No podemos pagar sin la factura, por favor envíenmela.",
            "¿Me pueden enviar un extracto de cuenta y copias de las facturas?",
            "Nuestro gestor pide una copia de {inv}, gracias.",
            "El enlace no funciona, envíen la factura como adjunto por favor.",
        ],
        "out_of_office": [
            "Estoy fuera de la oficina hasta el {date} con acceso limitado al correo.",
            "Gracias por su mensaje. Estoy de vacaciones y volveré el {date}.",
            "Respuesta automática: estoy ausente hasta el {date}. Para urgencias contacte con la centralita.",
            "Estoy de viaje y responderé a mi regreso el {date}.",
            "Fuera de la oficina: vuelvo el lunes. Su correo no será reenviado.",
            "Estoy de baja por maternidad hasta el {date}. Contacte con contabilidad@{company}.es.",
            "Respuesta automática: nuestras oficinas cierran por vacaciones y reabren el {date}.",
            "Gracias por su correo. Estoy fuera esta semana y responderé la semana que viene.",
            "Estoy en una feria hasta el {date}, las respuestas pueden retrasarse.",
            "Este buzón no se revisa hasta el {date}. Por favor vuelva a enviar su mensaje después.",
            "Estoy de baja médica, le responderé lo antes posible.",
            "Respuesta automática: ya no trabajo en {company}. Por favor contacte con mi compañera.",
        ],
        "other": [
            "¿Quién es mi persona de contacto para pedidos?",
            "Por favor actualicen nuestra dirección de facturación con la nueva oficina.",
            "¿Estarán en la feria el mes que viene?",
            "Por favor quítenme de esta lista, no soy la persona adecuada.",
            "Queremos volver a pedir el mismo producto, ¿nos pueden enviar un presupuesto?",
            "¿Cuál es su horario durante las fiestas?",
            "Nuestro NIF ha cambiado, por favor usen el nuevo en las próximas facturas.",
            "Gracias por el magnífico servicio del mes pasado, el equipo quedó muy contento.",
            "¿Podemos concertar una reunión para hablar del contrato del año que viene?",
            "Por favor pongan en copia a mi compañera en los próximos correos.",
            "¿Es posible cambiar la fecha de entrega de nuestro próximo pedido?",
            "¿Podrían confirmar sus datos bancarios por teléfono? Hemos sufrido un intento de fraude.",
        ],
    },
}

EXTRA = {
    "en": {
        "paid_already": [
            "Payment was made already, please see the attached bank statement.",
            "We settled {inv} in full. Kindly confirm receipt and close the reminder.",
            "Already paid! Check your incoming transfers from {date}.",
            "The money left our account on {date}; maybe it was allocated to the wrong invoice?",
            "Our records show this was paid by direct debit on {date}.",
            "You should have received {amount} from us, we paid it together with {inv}.",
            "This is paid. Transaction reference {inv}, value date {date}.",
            "We cleared the outstanding balance last Tuesday.",
        ],
        "promise_to_pay": [
            "You will have the money by {date}, I promise.",
            "We plan to pay the outstanding {amount} at the beginning of next month.",
            "I have just scheduled the transfer for {date}.",
            "Expect our payment of {amount} before {date}.",
            "We'll pay half now and the balance in 3 weeks.",
            "Payment will follow within a week, as soon as the invoice is approved internally.",
            "I'm on it, you will receive the transfer by {date} at the latest.",
            "We intend to clear {inv} on {date} when our funds come in.",
        ],
        "dispute": [
            "We are not paying {inv} until the defective parts are replaced.",
            "The quantities invoiced are wrong, we only received half of the order.",
            "This charge was never agreed, please cancel {inv}.",
            "The work on site is unfinished, we contest the final invoice.",
            "We object to {inv}: the rate applied is higher than agreed.",
            "The delivery was late and incomplete, we reject the invoice until you issue a credit.",
            "Your invoice includes shipping costs that were supposed to be free.",
            "Invoice {inv} is incorrect; we cancelled that order in writing on {date}.",
        ],
        "hardship": [
            "Unfortunately we are facing serious cash problems and need a repayment arrangement.",
            "Could you grant us a deferral? We cannot meet our obligations this month.",
            "We are close to insolvency and are talking to all our creditors.",
            "I am a pensioner and cannot pay {amount} at once, can I pay a little each month?",
            "Our customers are not paying us, so we cannot pay you right now.",
            "We have had a flood at our warehouse and our finances are in a bad state.",
            "Please be patient with us, we are struggling financially and will pay in small amounts.",
            "Is there any way to reduce the monthly amount? We can only afford {amount} per month.",
        ],
        "copy_request": [
            "Send me the invoice again please, it went to an old address.",
            "Could we receive invoice {inv} in PDF format?",
            "Please provide a copy of the invoice and the delivery note.",
            "Where can I download the invoice? Please email it.",
            "We need the invoices for our audit, could you resend them?",
            "I would like a reprint of {inv}, addressed to our new company name.",
            "Please mail me copies of all unpaid invoices.",
            "Can you attach the invoice itself? Your reminder only lists the numbers.",
        ],
        "out_of_office": [
            "Automatic reply: I am on holiday until {date}.",
            "I'm out of office with no access to email. Back {date}.",
            "Auto reply - away on business until {date}.",
            "I will be away from {date} for two weeks.",
            "Hello, I am currently absent. I will read your message after my return.",
            "Automated message: the accounting department is closed until {date}.",
            "I am out for the rest of the week, back next Monday.",
            "Out of office until {date}. Urgent: call our switchboard.",
        ],
        "other": [
            "Can you send us your new product catalogue?",
            "We are moving offices next month, here is our new address.",
            "Please change the contact person for our account, I am leaving the company.",
            "Is the training session next week still on?",
            "How do I create an account on your website?",
            "Could you send us your certificate of insurance?",
            "Happy new year to the whole team!",
            "What is the lead time for an order of 200 units?",
        ],
    },
    "fr": {
        "paid_already": [
            "Le paiement a déjà été effectué, voir le relevé bancaire ci-joint.",
            "Nous avons soldé {inv}. Merci de confirmer la réception et de clore la relance.",
            "Déjà payé ! Vérifiez vos virements reçus du {date}.",
            "L'argent est sorti de notre compte le {date}, peut-être affecté à une autre facture ?",
            "Selon nos écritures elle a été payée par prélèvement le {date}.",
            "Vous avez dû recevoir {amount} de notre part, payé en même temps que {inv}.",
            "C'est réglé. Référence de l'opération {inv}, date de valeur {date}.",
            "Nous avons soldé le solde restant mardi dernier.",
        ],
        "promise_to_pay": [
            "Vous aurez l'argent d'ici le {date}, c'est promis.",
            "Nous prévoyons de régler les {amount} restants début du mois prochain.",
            "Je viens de programmer le virement pour le {date}.",
            "Notre paiement de {amount} vous parviendra avant le {date}.",
            "Nous payons la moitié maintenant et le solde dans 3 semaines.",
            "Le paiement suivra sous une semaine, dès validation interne de la facture.",
            "Je m'en occupe, vous recevrez le virement au plus tard le {date}.",
            "Nous comptons régler {inv} le {date} à la rentrée des fonds.",
        ],
        "dispute": [
            "Nous ne paierons pas {inv} tant que les pièces défectueuses ne sont pas remplacées.",
            "Les quantités facturées sont fausses, nous n'avons reçu que la moitié de la commande.",
            "Ces frais n'ont jamais été acceptés, merci d'annuler {inv}.",
            "Le chantier n'est pas terminé, nous contestons la facture finale.",
            "Nous contestons {inv} : le tarif appliqué est supérieur à celui convenu.",
            "La livraison était en retard et incomplète, nous refusons la facture jusqu'à l'émission d'un avoir.",
            "Votre facture comprend des frais de port qui devaient être offerts.",
            "La facture {inv} est erronée, nous avons annulé cette commande par écrit le {date}.",
        ],
        "hardship": [
            "Malheureusement nous avons de graves problèmes de trésorerie et avons besoin d'un plan de remboursement.",
            "Pourriez-vous nous accorder un délai ? Nous ne pouvons pas faire face ce mois-ci.",
            "Nous sommes proches du dépôt de bilan et discutons avec tous nos créanciers.",
            "Je suis retraité et ne peux pas payer {amount} en une fois, puis-je payer un peu chaque mois ?",
            "Nos clients ne nous paient pas, nous ne pouvons donc pas vous payer maintenant.",
            "Notre entrepôt a été inondé et nos finances sont au plus mal.",
            "Soyez patients, nous avons des difficultés financières et paierons par petites sommes.",
            "Peut-on réduire la mensualité ? Nous ne pouvons verser que {amount} par mois.",
        ],
        "copy_request": [
            "Renvoyez-moi la facture s'il vous plaît, elle est partie à une ancienne adresse.",
            "Pourrions-nous recevoir la facture {inv} au format PDF ?",
            "Merci de fournir une copie de la facture et du bon de livraison.",
            "Où puis-je télécharger la facture ? Merci de me l'envoyer par mail.",
            "Nous avons besoin des factures pour notre audit, pourriez-vous les renvoyer ?",
            "Je souhaiterais une réédition de {inv} au nom de notre nouvelle société.",
            "Merci de m'envoyer les copies de toutes les factures impayées.",
            "Pouvez-vous joindre la facture elle-même ? Votre relance ne donne que les numéros.",
        ],
        "out_of_office": [
            "Réponse automatique : je suis en vacances jusqu'au {date}.",
            "Je suis absent sans accès à mes mails. Retour le {date}.",
            "Message automatique - en déplacement professionnel jusqu'au {date}.",
            "Je serai absent à partir du {date} pendant deux semaines.",
            "Bonjour, je suis actuellement absent. Je lirai votre message à mon retour.",
            "Message automatique : le service comptable est fermé jusqu'au {date}.",
            "Je suis absent le reste de la semaine, de retour lundi prochain.",
            "Absent jusqu'au {date}. En cas d'urgence, appelez le standard.",
        ],
        "other": [
            "Pouvez-vous nous envoyer votre nouveau catalogue ?",
            "Nous déménageons le mois prochain, voici notre nouvelle adresse.",
            "Merci de changer l'interlocuteur de notre compte.",
            "La formation de la semaine prochaine est-elle maintenue ?",
            "Comment créer un compte sur votre site ?",
            "Pourriez-vous nous envoyer votre attestation d'assurance ?",
            "Bonne année à toute l'équipe !",
            "Quel est le délai pour une commande de 200 unités ?",
        ],
    },
    "de": {
        "paid_already": [
            "Die Zahlung ist bereits erfolgt, siehe beigefügten Kontoauszug.",
            "Wir haben {inv} vollständig beglichen. Bitte bestätigen Sie den Eingang.",
            "Schon bezahlt! Prüfen Sie Ihre Zahlungseingänge vom {date}.",
            "Das Geld ist am {date} von unserem Konto abgegangen, vielleicht falsch zugeordnet?",
            "Laut unseren Unterlagen wurde sie am {date} per Lastschrift bezahlt.",
            "Sie müssten {amount} von uns erhalten haben, zusammen mit {inv} bezahlt.",
            "Ist bezahlt. Verwendungszweck {inv}, Valuta {date}.",
            "Wir haben den offenen Saldo letzten Dienstag ausgeglichen.",
        ],
        "promise_to_pay": [
            "Sie haben das Geld bis zum {date}, versprochen.",
            "Wir planen, die offenen {amount} Anfang nächsten Monats zu zahlen.",
            "Ich habe die Überweisung gerade für den {date} terminiert.",
            "Unsere Zahlung über {amount} geht vor dem {date} bei Ihnen ein.",
            "Wir zahlen die Hälfte jetzt und den Rest in 3 Wochen.",
            "Die Zahlung folgt innerhalb einer Woche, sobald die Rechnung intern freigegeben ist.",
            "Ich kümmere mich darum, die Überweisung kommt spätestens am {date}.",
            "Wir wollen {inv} am {date} begleichen, wenn unsere Mittel eingehen.",
        ],
        "dispute": [
            "Wir zahlen {inv} erst, wenn die defekten Teile ersetzt sind.",
            "Die berechneten Mengen sind falsch, wir haben nur die Hälfte erhalten.",
            "Diese Gebühr wurde nie vereinbart, bitte stornieren Sie {inv}.",
            "Die Arbeiten sind nicht abgeschlossen, wir beanstanden die Schlussrechnung.",
            "Wir widersprechen {inv}: Der Stundensatz ist höher als vereinbart.",
            "Die Lieferung kam zu spät und unvollständig, wir lehnen die Rechnung bis zur Gutschrift ab.",
            "Ihre Rechnung enthält Versandkosten, die eigentlich entfallen sollten.",
            "Rechnung {inv} ist fehlerhaft, wir haben den Auftrag am {date} schriftlich storniert.",
        ],
        "hardship": [
            "Leider haben wir ernsthafte Liquiditätsprobleme und brauchen eine Ratenvereinbarung.",
            "Könnten Sie uns eine Stundung gewähren? Diesen Monat können wir nicht zahlen.",
            "Wir stehen kurz vor der Insolvenz und sprechen mit allen Gläubigern.",
            "Ich bin Rentner und kann {amount} nicht auf einmal zahlen, geht es monatlich in kleinen Beträgen?",
            "Unsere Kunden zahlen nicht, deshalb können wir Sie gerade nicht bezahlen.",
            "Unser Lager wurde überflutet und unsere Finanzen sind in schlechtem Zustand.",
            "Bitte haben Sie Geduld, wir haben finanzielle Probleme und zahlen in kleinen Beträgen.",
            "Kann die Monatsrate gesenkt werden? Wir können nur {amount} pro Monat aufbringen.",
        ],
        "copy_request": [
            "Schicken Sie mir die Rechnung bitte noch einmal, sie ging an eine alte Adresse.",
            "Könnten wir die Rechnung {inv} als PDF bekommen?",
            "Bitte senden Sie eine Kopie der Rechnung und des Lieferscheins.",
            "Wo kann ich die Rechnung herunterladen? Bitte per E-Mail schicken.",
            "Wir brauchen die Rechnungen für unsere Prüfung, könnten Sie sie erneut senden?",
            "Ich hätte gerne einen Neudruck von {inv} auf unseren neuen Firmennamen.",
            "Bitte mailen Sie mir Kopien aller unbezahlten Rechnungen.",
            "Können Sie die Rechnung selbst anhängen? In der Mahnung stehen nur die Nummern.",
        ],
        "out_of_office": [
            "Automatische Antwort: Ich bin bis zum {date} im Urlaub.",
            "Ich bin außer Haus ohne E-Mail-Zugang. Zurück am {date}.",
            "Abwesenheitsnotiz - geschäftlich unterwegs bis {date}.",
            "Ich bin ab dem {date} für zwei Wochen abwesend.",
            "Guten Tag, ich bin derzeit abwesend und lese Ihre Nachricht nach meiner Rückkehr.",
            "Automatische Nachricht: Die Buchhaltung ist bis zum {date} geschlossen.",
            "Ich bin den Rest der Woche nicht da, zurück nächsten Montag.",
            "Nicht im Büro bis {date}. Dringendes bitte über die Zentrale.",
        ],
        "other": [
            "Können Sie uns Ihren neuen Produktkatalog schicken?",
            "Wir ziehen nächsten Monat um, hier ist unsere neue Adresse.",
            "Bitte ändern Sie den Ansprechpartner für unser Kundenkonto.",
            "Findet die Schulung nächste Woche statt?",
            "Wie lege ich ein Konto auf Ihrer Webseite an?",
            "Könnten Sie uns Ihre Versicherungsbestätigung schicken?",
            "Ein frohes neues Jahr an das ganze Team!",
            "Wie lang ist die Lieferzeit für 200 Stück?",
        ],
    },
    "es": {
        "paid_already": [
            "El pago ya se realizó, vean el extracto bancario adjunto.",
            "Hemos saldado {inv}. Por favor confirmen la recepción y cierren el recordatorio.",
            "¡Ya está pagado! Revisen sus transferencias recibidas del {date}.",
            "El dinero salió de nuestra cuenta el {date}, ¿quizás se aplicó a otra factura?",
            "Según nuestros registros se pagó por domiciliación el {date}.",
            "Deberían haber recibido {amount}, lo pagamos junto con {inv}.",
            "Está pagado. Referencia de la operación {inv}, fecha valor {date}.",
            "Liquidamos el saldo pendiente el martes pasado.",
        ],
        "promise_to_pay": [
            "Tendrán el dinero antes del {date}, se lo prometo.",
            "Tenemos previsto pagar los {amount} pendientes a principios del mes que viene.",
            "Acabo de programar la transferencia para el {date}.",
            "Recibirán nuestro pago de {amount} antes del {date}.",
            "Pagamos la mitad ahora y el resto en 3 semanas.",
            "El pago llegará en una semana, en cuanto se apruebe la factura internamente.",
            "Me encargo yo, recibirán la transferencia como muy tarde el {date}.",
            "Pensamos saldar {inv} el {date} cuando entren los fondos.",
        ],
        "dispute": [
            "No pagaremos {inv} hasta que sustituyan las piezas defectuosas.",
            "Las cantidades facturadas son erróneas, solo recibimos la mitad del pedido.",
            "Este cargo nunca se acordó, por favor anulen {inv}.",
            "La obra no está terminada, reclamamos la factura final.",
            "Rechazamos {inv}: la tarifa aplicada es mayor que la pactada.",
            "La entrega llegó tarde e incompleta, rechazamos la factura hasta que emitan un abono.",
            "Su factura incluye gastos de envío que debían ser gratuitos.",
            "La factura {inv} es incorrecta, cancelamos ese pedido por escrito el {date}.",
        ],
        "hardship": [
            "Lamentablemente tenemos graves problemas de liquidez y necesitamos un plan de pagos.",
            "¿Podrían concedernos un aplazamiento? Este mes no podemos hacer frente al pago.",
            "Estamos al borde de la insolvencia y hablando con todos nuestros acreedores.",
            "Soy jubilado y no puedo pagar {amount} de una vez, ¿puedo pagar un poco cada mes?",
            "Nuestros clientes no nos pagan, así que ahora no podemos pagarles.",
            "Se nos inundó el almacén y nuestras finanzas están muy mal.",
            "Tengan paciencia, tenemos problemas económicos y pagaremos poco a poco.",
            "¿Se puede reducir la cuota? Solo podemos pagar {amount} al mes.",
        ],
        "copy_request": [
            "Envíenme de nuevo la factura por favor, se mandó a una dirección antigua.",
            "¿Podríamos recibir la factura {inv} en PDF?",
            "Por favor faciliten una copia de la factura y del albarán.",
            "¿Dónde puedo descargar la factura? Por favor envíenla por correo.",
            "Necesitamos las facturas para la auditoría, ¿pueden reenviarlas?",
            "Quisiera una reimpresión de {inv} a nombre de nuestra nueva empresa.",
            "Por favor mándenme copias de todas las facturas impagadas.",
            "¿Pueden adjuntar la factura? Su recordatorio solo indica los números.",
        ],
        "out_of_office": [
            "Respuesta automática: estoy de vacaciones hasta el {date}.",
            "Estoy fuera sin acceso al correo. Vuelvo el {date}.",
            "Mensaje automático - de viaje de negocios hasta el {date}.",
            "Estaré ausente a partir del {date} durante dos semanas.",
            "Hola, en este momento estoy ausente. Leeré su mensaje a mi vuelta.",
            "Mensaje automático: el departamento de contabilidad está cerrado hasta el {date}.",
            "Estoy fuera el resto de la semana, vuelvo el próximo lunes.",
            "Fuera de la oficina hasta el {date}. Para urgencias llame a la centralita.",
        ],
        "other": [
            "¿Pueden enviarnos su nuevo catálogo de productos?",
            "Nos mudamos el mes que viene, esta es nuestra nueva dirección.",
            "Por favor cambien la persona de contacto de nuestra cuenta.",
            "¿Sigue en pie la formación de la semana que viene?",
            "¿Cómo creo una cuenta en su página web?",
            "¿Podrían enviarnos su certificado de seguro?",
            "¡Feliz año nuevo a todo el equipo!",
            "¿Cuál es el plazo de entrega para un pedido de 200 unidades?",
        ],
    },
}

for _lang, _intents in EXTRA.items():
    for _intent, _phrasings in _intents.items():
        PHRASES[_lang][_intent].extend(_phrasings)

GREETINGS = {
    "en": ["", "Hello,", "Hi {name},", "Dear {name},", "Good morning,", "Dear Sir or Madam,"],
    "fr": ["", "Bonjour,", "Bonjour {name},", "Madame, Monsieur,", "Cher {name},", "Bonsoir,"],
    "de": ["", "Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,", "Hallo {name},", "Liebe Frau {name},"],
    "es": ["", "Hola,", "Buenos días,", "Estimado {name}:", "Hola {name},", "Estimados señores:"],
}
CLOSINGS = {
    "en": ["", "Thanks,", "Best regards,", "Kind regards, {name}", "Regards", "Cheers"],
    "fr": ["", "Merci,", "Cordialement,", "Bien cordialement, {name}", "Bonne journée", "Salutations"],
    "de": ["", "Danke,", "Mit freundlichen Grüßen", "Viele Grüße, {name}", "Beste Grüße", "MfG"],
    "es": ["", "Gracias,", "Un saludo,", "Saludos cordiales, {name}", "Atentamente", "Un abrazo"],
}
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
           "September", "Oktober", "November", "Dezember"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
}
NAMES = ["Martin", "Anna", "Jones", "Schmidt", "García", "Dubois", "Rossi", "Nguyen", "Keller", "López"]
COMPANIES = ["acme", "bluepeak", "nordtec", "solvia", "fabrika", "lumen"]


def _date(rng, lang):
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    style = rng.randint(0, 2)
    if style == 0:
        return f"{day:02d}/{month:02d}/2026" if lang != "de" else f"{day:02d}.{month:02d}.2026"
    name = MONTHS[lang][month - 1]
    if lang == "en":
        return f"{name} {day}" if style == 1 else f"{day} {name}"
    if lang == "de":
        return f"{day}. {name}"
    if lang == "es":
        return f"{day} de {name}"
    return f"{day} {name}"


def _amount(rng, lang):
    value = rng.choice([rng.randint(50, 999), rng.randint(1000, 25000)]) + rng.choice([0, 0.5, 0.99, 0.25])
    if lang == "en":
        return rng.choice([f"€{value:,.2f}", f"${value:,.2f}", f"{value:,.2f} EUR"])
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    if lang == "de":
        text = text.replace(" ", ".")
    return rng.choice([f"{text} €", f"{text} EUR"])


def _invoice(rng):
    return rng.choice([
        f"INV/2026/{rng.randint(1, 999):05d}",
        f"INV/2025/{rng.randint(1, 999):05d}",
        f"FAC-{rng.randint(1000, 9999)}",
        f"#{rng.randint(10000, 99999)}",
    ])


def generate():
    """Return the labelled rows: dicts with text, intent, lang and group."""
    rng = random.Random(SEED)
    rows = []
    for lang, intents in PHRASES.items():
        for intent, phrasings in intents.items():
            for index, phrasing in enumerate(phrasings):
                seen = set()
                for _copy in range(COPIES):
                    name = rng.choice(NAMES)
                    body = phrasing.format(
                        inv=_invoice(rng), amount=_amount(rng, lang), date=_date(rng, lang),
                        company=rng.choice(COMPANIES),
                    )
                    greeting = rng.choice(GREETINGS[lang]).format(name=name)
                    closing = rng.choice(CLOSINGS[lang]).format(name=name)
                    text = "\n".join(part for part in (greeting, body, closing) if part)
                    if text in seen:
                        continue
                    seen.add(text)
                    rows.append({"text": text, "intent": intent, "lang": lang, "group": f"{lang}-{intent}-{index}"})
    return rows


def main():
    path = Path(__file__).with_name("replies.csv")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "intent", "lang", "group"])
        writer.writeheader()
        writer.writerows(generate())


if __name__ == "__main__":
    main()
