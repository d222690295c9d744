// The exact URLs to configure in Twilio for each endpoint. Twilio retries a webhook only when its URL
// asks for it, with connection overrides in the URL fragment (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides):
//   rc = retry count (0-5, default 1), rp = retry policy (4xx, 5xx, ct, rt or all; default ct),
//   ct / rt / tt = connect / read / total timeouts in ms.
// Status callbacks have no fallback URL, so retries are the only second chance an event gets; this
// service answers 503 when it could not store an event and success (200) only once it did, and a retry
// of a stored event changes nothing. The fragment is not sent and not part of the signed URL.

/** Retry up to 5 times on any failure (connect or read timeout, 4xx, 5xx). */
export const DEFAULT_CONNECTION_OVERRIDES = "rc=5&rp=all";

export interface TwilioWebhookEndpoint {
  key: "voiceStatus" | "smsInbound" | "smsStatus";
  path: string;
  title: string;
  /** Where in Twilio the URL goes. */
  configureAt: string;
}

export const TWILIO_WEBHOOK_ENDPOINTS: readonly TwilioWebhookEndpoint[] = [
  {
    key: "voiceStatus",
    path: "/api/twilio/voice/status",
    title: "Voice status callback (counts completed calls)",
    configureAt:
      'Phone number > Voice Configuration > "Call status changes" (HTTP POST), and the StatusCallback parameter (method POST) of every call your application places through the API or <Dial><Number statusCallback>.',
  },
  {
    key: "smsInbound",
    path: "/api/twilio/sms/inbound",
    title: "Incoming messages (counts received messages and their segments)",
    configureAt: 'Phone number > Messaging Configuration > "A message comes in" (Webhook, HTTP POST), or the Messaging Service\'s incoming-message request URL.',
  },
  {
    key: "smsStatus",
    path: "/api/twilio/sms/status",
    title: "Message status callback (counts each sent message once)",
    configureAt: "The StatusCallback parameter of every message your application sends, or the Messaging Service's delivery status callback URL.",
  },
];

export interface TwilioWebhookUrl extends TwilioWebhookEndpoint {
  /** The URL to paste into Twilio, connection overrides included. */
  url: string;
  /** What Twilio signs (the URL without the fragment). */
  signedUrl: string;
}

/** The URLs for a public base such as https://billing.example.com (default: PUBLIC_BASE_URL). */
export function twilioWebhookUrls(
  baseUrl: string | undefined = process.env.PUBLIC_BASE_URL,
  overrides: string = DEFAULT_CONNECTION_OVERRIDES,
): TwilioWebhookUrl[] {
  const base = (baseUrl?.trim() || "https://<your public host>").replace(/\/+$/, "");
  const fragment = overrides.replace(/^#/, "");
  return TWILIO_WEBHOOK_ENDPOINTS.map((endpoint) => {
    const signedUrl = `${base}${endpoint.path}`;
    return { ...endpoint, signedUrl, url: fragment ? `${signedUrl}#${fragment}` : signedUrl };
  });
}
