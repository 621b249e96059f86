/** Shapes of the IMA open API, as documented in the API README and seen in real product lists. */

export type Primitive = string | number | boolean;

export interface ImaEnvelope<T = unknown> {
	code: number;
	message?: string;
	data?: T;
}

export interface ImaTag {
	tag_type: string;
	tag_value: string;
}

export interface ImaOption {
	label?: string;
	value: Primitive;
}

export interface ImaDisabledCondition {
	enum_value: Primitive | '*';
	disabled_key?: string;
	disabled_value?: unknown;
	category: string;
}

export interface ImaUiParam {
	field: string;
	label?: string;
	description?: string;
	type?: string;
	value?: Primitive | null;
	options?: ImaOption[];
	required?: boolean;
	config?: { minimum?: number; maximum?: number; type?: string };
}

export interface ImaValueMapping {
	type?: string;
	source_params?: string[];
	target_param?: string;
	mapping_rules?: Array<{ source_values: Record<string, Primitive>; target_value: Primitive }>;
}

export interface ImaFormField extends Omit<ImaUiParam, 'required'> {
	level?: number;
	disabled_conditions?: ImaDisabledCondition[];
	is_ui_virtual?: boolean;
	ui_params?: ImaUiParam[];
	value_mapping?: ImaValueMapping;
}

export interface ImaCreditRule {
	points: number;
	origin_point?: number;
	attribute_id: number;
	attributes: Record<string, Primitive>;
}

export interface ImaProductNode {
	id: string;
	type: string;
	name?: string;
	parent_id?: string;
	model_id?: string;
	group_name?: string;
	description?: string;
	tags?: ImaTag[];
	model_types?: string[];
	category_code?: string;
	form_config?: ImaFormField[];
	credit_rules?: ImaCreditRule[];
	children?: ImaProductNode[];
	[key: string]: unknown;
}

/** A model version (a type "3" node of the product tree). */
export interface ModelVersion extends ImaProductNode {
	model_id: string;
	name: string;
}

export interface ImaMedia {
	resource_status?: number | null;
	status?: string | null;
	url?: string | null;
	watermark_url?: string | null;
	preview_url?: string | null;
	cover?: string | null;
	format?: string | null;
	width?: number | null;
	height?: number | null;
	duration_str?: string | null;
	error_msg?: string | null;
	remark?: string | null;
	[key: string]: unknown;
}

export interface ImaTaskDetail {
	id: string;
	task_type?: string;
	prompt?: string;
	medias?: ImaMedia[];
	[key: string]: unknown;
}

export interface ImaCreatedTask {
	id: string;
	biz_id?: string;
	task_type?: string;
	medias?: ImaMedia[];
	generate_count?: number;
	created_at?: number;
	timeout_at?: number;
}
