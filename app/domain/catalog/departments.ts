/**
 * The departments a city green channel deals with. Templates name a department
 * by `code` (the short name officers use: "发改", "自然资源"); the demo seed
 * creates exactly these, and a real deployment's administrator may add more.
 */
export const DEPARTMENT_LEVELS = ["national", "province", "city", "county", "town"] as const;
export type DepartmentLevel = (typeof DEPARTMENT_LEVELS)[number];
export const DEPARTMENT_LEVEL_LABELS: Readonly<Record<DepartmentLevel, string>> = {
  national: "国家",
  province: "省",
  city: "市",
  county: "县",
  town: "乡镇",
};

export interface DepartmentSeed {
  code: string;
  name: string;
  level: DepartmentLevel;
  /** 垂直管理: reports up its own line, not to the city government. */
  vertical: boolean;
}

export const DEFAULT_DEPARTMENTS: readonly DepartmentSeed[] = [
  { code: "发改", name: "市发展和改革委员会", level: "city", vertical: false },
  { code: "自然资源", name: "市自然资源和规划局", level: "city", vertical: false },
  { code: "不动产登记", name: "市不动产登记中心", level: "city", vertical: false },
  { code: "住建", name: "市住房和城乡建设局", level: "city", vertical: false },
  { code: "生态环境", name: "市生态环境局", level: "city", vertical: true },
  { code: "水务", name: "市水务局", level: "city", vertical: false },
  { code: "应急", name: "市应急管理局", level: "city", vertical: false },
  { code: "消防", name: "市消防救援支队", level: "city", vertical: true },
  { code: "人防", name: "市人民防空办公室", level: "city", vertical: false },
  { code: "市场监管", name: "市市场监督管理局", level: "city", vertical: false },
  { code: "税务", name: "国家税务总局市税务局", level: "city", vertical: true },
  { code: "审批局", name: "市行政审批服务局", level: "city", vertical: false },
  { code: "供电", name: "国网市供电公司", level: "city", vertical: true },
];

export const DEFAULT_DEPARTMENT_CODES: readonly string[] = DEFAULT_DEPARTMENTS.map((d) => d.code);
