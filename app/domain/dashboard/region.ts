/**
 * 地区 of a project for the dashboard's filter: the city or prefecture its location
 * starts with (成都市…, 阿坝州…, 凉山彝族自治州…). A location that names none (a city
 * office's own projects, "高新区科创大道 88 号") has no region: null.
 */
const REGION = /^(?:[\u4e00-\u9fa5]{1,3}省)?([\u4e00-\u9fa5]{2,12}?(?:自治州|地区|市|州|盟))/;

export function regionOf(location: string): string | null {
  const m = REGION.exec(location.trim());
  return m ? m[1] : null;
}
