import { z } from 'zod';
import { defineSource, secret } from '@weft/plugin-sdk';
import { regionField } from '../message.js';
import { SMS_EVENTS, chinaTime, readCallback, receiptEvent, verifyCallbackToken } from '../receipts.js';

export const aliyunReceiptsConfigSchema = z.object({
  callbackToken: secret('Random secret put in the callback URL as ?token=…; Aliyun pushes are not signed'),
  defaultRegion: regionField('CN'),
});

/** One SmsReport entry (delivery receipt) of Aliyun's HTTP batch push. */
const smsReport = z.looseObject({
  phone_number: z.string().min(1),
  success: z.boolean(),
  biz_id: z.string().min(1),
  out_id: z.string().optional(),
  send_time: z.string().optional(),
  report_time: z.string().optional(),
  err_code: z.string().optional(),
  err_msg: z.string().optional(),
  sms_size: z.string().optional(),
});

/** One SmsUp entry (a reply) of Aliyun's HTTP batch push. */
const smsUp = z.looseObject({
  phone_number: z.string().min(1),
  content: z.string(),
  send_time: z.string().optional(),
  sign_name: z.string().optional(),
  dest_code: z.string().optional(),
  sequence_id: z.union([z.number(), z.string()]),
});

const push = z.array(z.union([smsReport, smsUp])).min(1);

/**
 * Aliyun SMS message receipts (HTTP batch push): `SmsReport` delivery receipts become
 * `SMS Delivered` / `SMS Failed`, `SmsUp` replies become `SMS Reply Received`. Answers
 * `{"code":0,"msg":"成功"}`, which Aliyun needs or it pushes again.
 */
export const aliyunReceipts = defineSource({
  title: 'Aliyun SMS receipts and replies',
  description: 'Receives Aliyun SmsReport (delivery receipts) and SmsUp (replies) HTTP pushes',
  config: aliyunReceiptsConfigSchema,
  async handle(request, ctx) {
    verifyCallbackToken(request, ctx.config.callbackToken, 'Aliyun SMS');
    const data = await readCallback(request, push, 'Aliyun SMS', 'push is not a SmsReport or SmsUp array');
    const events = data.map((entry) => {
      if ('content' in entry && typeof entry.content === 'string' && 'sequence_id' in entry) {
        const reply = entry as z.output<typeof smsUp>;
        return receiptEvent({
          vendor: 'aliyun',
          event: SMS_EVENTS.reply,
          phone: reply.phone_number,
          defaultRegion: ctx.config.defaultRegion,
          messageId: `up-${reply.sequence_id}`,
          timestamp: chinaTime(reply.send_time),
          properties: { body: reply.content, signName: reply.sign_name, destCode: reply.dest_code },
        });
      }
      const report = entry as z.output<typeof smsReport>;
      return receiptEvent({
        vendor: 'aliyun',
        event: report.success ? SMS_EVENTS.delivered : SMS_EVENTS.failed,
        phone: report.phone_number,
        defaultRegion: ctx.config.defaultRegion,
        messageId: `report-${report.biz_id}-${report.phone_number}`,
        timestamp: chinaTime(report.report_time),
        properties: { bizId: report.biz_id, outId: report.out_id, errorCode: report.err_code, errorMessage: report.err_msg, segments: report.sms_size },
      });
    });
    return { events, response: Response.json({ code: 0, msg: '成功' }) };
  },
});
