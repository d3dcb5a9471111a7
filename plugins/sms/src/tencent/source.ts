import { z } from 'zod';
import { defineSource, secret } from '@weft/plugin-sdk';
import { regionField } from '../message.js';
import { SMS_EVENTS, chinaTime, readCallback, receiptEvent, verifyCallbackToken } from '../receipts.js';

export const tencentReceiptsConfigSchema = z.object({
  callbackToken: secret('Random secret put in the callback URL as ?token=…; Tencent callbacks are not signed'),
  defaultRegion: regionField('CN'),
});

/** One delivery report of Tencent's status callback (an array of them per push). */
const statusReport = z.looseObject({
  mobile: z.string().min(1),
  nationcode: z.string().optional(),
  report_status: z.enum(['SUCCESS', 'FAIL']),
  sid: z.string().min(1),
  errmsg: z.string().optional(),
  description: z.string().optional(),
  user_receive_time: z.string().optional(),
});

/** A reply (上行短信) callback: one object per push. */
const reply = z.looseObject({
  mobile: z.string().min(1),
  nationcode: z.string().optional(),
  text: z.string(),
  sign: z.string().optional(),
  extend: z.string().optional(),
  time: z.number(),
});

const push = z.union([z.array(statusReport).min(1), reply]);

/** `+<nationcode><mobile>` when the callback names the country, else the number as written. */
const fullNumber = (entry: { mobile: string; nationcode?: string | undefined }) => (entry.nationcode ? `+${entry.nationcode}${entry.mobile}` : entry.mobile);

/**
 * Tencent Cloud SMS callbacks: delivery status reports become `SMS Delivered` / `SMS Failed`,
 * replies become `SMS Reply Received`. Answers `{"result":0,"errmsg":"OK"}` as Tencent expects.
 */
export const tencentReceipts = defineSource({
  title: 'Tencent Cloud SMS receipts and replies',
  description: 'Receives Tencent Cloud SMS status reports and reply callbacks',
  config: tencentReceiptsConfigSchema,
  async handle(request, ctx) {
    verifyCallbackToken(request, ctx.config.callbackToken, 'Tencent Cloud SMS');
    const data = await readCallback(request, push, 'Tencent Cloud SMS', 'callback is neither status reports nor a reply');
    const events = Array.isArray(data)
      ? data.map((report) =>
          receiptEvent({
            vendor: 'tencent-cloud',
            event: report.report_status === 'SUCCESS' ? SMS_EVENTS.delivered : SMS_EVENTS.failed,
            phone: fullNumber(report),
            defaultRegion: ctx.config.defaultRegion,
            messageId: `report-${report.sid}`,
            timestamp: chinaTime(report.user_receive_time),
            properties: { serialNo: report.sid, errorCode: report.errmsg, errorMessage: report.description },
          }),
        )
      : [
          receiptEvent({
            vendor: 'tencent-cloud',
            event: SMS_EVENTS.reply,
            phone: fullNumber(data),
            defaultRegion: ctx.config.defaultRegion,
            messageId: `reply-${fullNumber(data)}-${data.time}`,
            timestamp: chinaTime(data.time),
            properties: { body: data.text, signName: data.sign, extend: data.extend },
          }),
        ];
    return { events, response: Response.json({ result: 0, errmsg: 'OK' }) };
  },
});
