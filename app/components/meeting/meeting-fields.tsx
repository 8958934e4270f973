import { MEETING_TYPES, MEETING_TYPE_LABELS } from "~/domain/meeting/vocabulary";
import { Field, Input, Select, Textarea } from "~/components/ui";

export interface MeetingFieldValues {
  type: string;
  title: string;
  heldOn: string;
  startsAt: string;
  place: string;
  chair: string;
  attendees: string;
  departments: readonly string[];
}

/**
 * The fields of a meeting, for the new-meeting page and the meeting's edit form alike:
 * one set of names (the service's input) and one place for their labels and limits.
 */
export function MeetingFields({
  values,
  fields,
  departments,
  departmentsLegend,
}: {
  values: MeetingFieldValues;
  fields?: Record<string, string>;
  departments: readonly { code: string; name: string }[];
  departmentsLegend: string;
}) {
  return (
    <>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="会议类型" name="type" error={fields?.type}>
          <Select name="type" defaultValue={values.type}>
            {MEETING_TYPES.map((t) => (
              <option key={t} value={t}>
                {MEETING_TYPE_LABELS[t]}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="会议名称" name="title" error={fields?.title}>
          <Input name="title" maxLength={100} required placeholder="例如：重点项目协调推进联席会议（第 48 次）" defaultValue={values.title} />
        </Field>
        <Field label="会议日期" name="heldOn" error={fields?.heldOn}>
          <Input name="heldOn" type="date" required defaultValue={values.heldOn} />
        </Field>
        <Field label="开始时间（可选）" name="startsAt" error={fields?.startsAt} hint="如 09:30">
          <Input name="startsAt" type="time" defaultValue={values.startsAt} />
        </Field>
        <Field label="会议地点" name="place" error={fields?.place}>
          <Input name="place" maxLength={100} placeholder="例如：市政务服务中心 3 楼会议室" defaultValue={values.place} />
        </Field>
        <Field label="召集 / 主持" name="chair" error={fields?.chair}>
          <Input name="chair" maxLength={50} placeholder="例如：常务副市长" defaultValue={values.chair} />
        </Field>
      </div>
      <Field label="出席人员（纪要中的「出席」）" name="attendees" error={fields?.attendees}>
        <Textarea name="attendees" rows={2} maxLength={2000} defaultValue={values.attendees} />
      </Field>
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">{departmentsLegend}</legend>
        <div className="mt-1 grid grid-cols-2 gap-1 sm:grid-cols-3">
          {departments.map((d) => (
            <label key={d.code} className="flex items-center gap-2 text-sm text-slate-700">
              <input type="checkbox" name="departments" value={d.code} defaultChecked={values.departments.includes(d.code)} />
              {d.name}
            </label>
          ))}
        </div>
        {fields?.departments ? (
          <p className="mt-1 text-xs text-red-600" role="alert">
            {fields.departments}
          </p>
        ) : null}
      </fieldset>
    </>
  );
}
