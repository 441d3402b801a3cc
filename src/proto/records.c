/* SPDX-License-Identifier: MIT */
#include "proto/records.h"

#include <string.h>

#include "proto/le.h"

void rec_dc_extent_put(uint8_t *p, const struct rec_dc_extent *e)
{
	memset(p, 0, REC_DC_EXTENT_LEN);
	le64_put(p, e->start_dpa);
	le64_put(p + 8, e->length);
	memcpy(p + 16, e->tag, REC_TAG_LEN);
	le16_put(p + 32, e->shared_seq);
}

void rec_dc_extent_get(const uint8_t *p, struct rec_dc_extent *e)
{
	e->start_dpa = le64_get(p);
	e->length = le64_get(p + 8);
	memcpy(e->tag, p + 16, REC_TAG_LEN);
	e->shared_seq = le16_get(p + 32);
}

void rec_dc_range_put(uint8_t *p, uint64_t start_dpa, uint64_t length)
{
	memset(p, 0, REC_DC_RANGE_LEN);
	le64_put(p, start_dpa);
	le64_put(p + 8, length);
}

void rec_dc_range_get(const uint8_t *p, uint64_t *start_dpa, uint64_t *length)
{
	*start_dpa = le64_get(p);
	*length = le64_get(p + 8);
}

void rec_dc_region_put(uint8_t *p, const struct rec_dc_region *r, enum rec_region_form f)
{
	memset(p, 0, REC_DC_REGION_LEN);
	le64_put(p, r->base);
	le64_put(p + 8, r->decode_units);
	le64_put(p + 16, r->length);
	le64_put(p + 24, r->block_size);
	if (f == REC_REGION_FM)
		p[32] = r->dsmas_flags;
	else
		le32_put(p + 32, r->dsmad_handle);
	p[36] = r->sanitize_on_release ? 0x01 : 0x00;
}

void rec_dc_region_get(const uint8_t *p, struct rec_dc_region *r, enum rec_region_form f)
{
	memset(r, 0, sizeof(*r));
	r->base = le64_get(p);
	r->decode_units = le64_get(p + 8);
	r->length = le64_get(p + 16);
	r->block_size = le64_get(p + 24);
	if (f == REC_REGION_FM)
		r->dsmas_flags = p[32];
	else
		r->dsmad_handle = le32_get(p + 32);
	r->sanitize_on_release = p[36] & 0x01;
}

void rec_dc_limits_put(uint8_t *p, const struct rec_dc_limits *l)
{
	le32_put(p, l->extents_supported);
	le32_put(p + 4, l->extents_available);
	le32_put(p + 8, l->tags_supported);
	le32_put(p + 12, l->tags_available);
}

void rec_dc_limits_get(const uint8_t *p, struct rec_dc_limits *l)
{
	l->extents_supported = le32_get(p);
	l->extents_available = le32_get(p + 4);
	l->tags_supported = le32_get(p + 8);
	l->tags_available = le32_get(p + 12);
}

void rec_ld_alloc_put(uint8_t *p, const struct rec_ld_alloc *a)
{
	le64_put(p, a->range1);
	le64_put(p + 8, a->range2);
}

void rec_ld_alloc_get(const uint8_t *p, struct rec_ld_alloc *a)
{
	a->range1 = le64_get(p);
	a->range2 = le64_get(p + 8);
}

void rec_event_hdr_put(uint8_t *p, const struct rec_event_hdr *h)
{
	memset(p, 0, REC_EVENT_HDR_LEN);
	memcpy(p, h->uuid, 16);
	p[16] = h->length;
	le24_put(p + 17, h->flags);
	le16_put(p + REC_EVENT_HANDLE, h->handle);
	le16_put(p + 22, h->related_handle);
	le64_put(p + REC_EVENT_TIMESTAMP, h->timestamp);
	p[32] = h->maint_op_class;
	p[33] = h->maint_op_subclass;
	le16_put(p + 34, h->ld_id);
	p[36] = h->head_id;
}

void rec_event_hdr_get(const uint8_t *p, struct rec_event_hdr *h)
{
	memcpy(h->uuid, p, 16);
	h->length = p[16];
	h->flags = le24_get(p + 17);
	h->handle = le16_get(p + REC_EVENT_HANDLE);
	h->related_handle = le16_get(p + 22);
	h->timestamp = le64_get(p + REC_EVENT_TIMESTAMP);
	h->maint_op_class = p[32];
	h->maint_op_subclass = p[33];
	h->ld_id = le16_get(p + 34);
	h->head_id = p[36];
}

void rec_dc_event_put(uint8_t *body, const struct rec_dc_event *e)
{
	memset(body, 0, REC_EVENT_LEN - REC_EVENT_HDR_LEN);
	body[0] = e->type;
	body[1] = e->validity;
	le16_put(body + 2, e->host_id);
	body[4] = e->region_id;
	body[5] = e->flags;
	rec_dc_extent_put(body + 8, &e->extent);
	le32_put(body + 72, e->extents_available);
	le32_put(body + 76, e->tags_available);
}

void rec_dc_event_get(const uint8_t *body, struct rec_dc_event *e)
{
	e->type = body[0];
	e->validity = body[1];
	e->host_id = le16_get(body + 2);
	e->region_id = body[4];
	e->flags = body[5];
	rec_dc_extent_get(body + 8, &e->extent);
	e->extents_available = le32_get(body + 72);
	e->tags_available = le32_get(body + 76);
}

void rec_phys_sw_event_put(uint8_t *body, const struct rec_phys_sw_event *e)
{
	memset(body, 0, REC_EVENT_LEN - REC_EVENT_HDR_LEN);
	body[0] = e->port_id;
	body[1] = e->type;
	le16_put(body + 2, e->slot_status);
	body[5] = e->config_state & 0x0f;
	body[6] = e->conn_mode & 0x0f;
	body[8] = e->dev_type;
	body[9] = e->cxl_modes;
	body[10] = e->max_width & 0x3f;
	body[11] = e->neg_width & 0x3f;
	body[12] = e->speeds & 0x3f;
	body[13] = e->max_speed & 0x3f;
	body[14] = e->cur_speed & 0x3f;
	body[15] = e->ltssm;
	body[16] = e->first_lane;
	le16_put(body + 17, e->link_flags);
}

void rec_phys_sw_event_get(const uint8_t *body, struct rec_phys_sw_event *e)
{
	e->port_id = body[0];
	e->type = body[1];
	e->slot_status = le16_get(body + 2);
	e->config_state = body[5] & 0x0f;
	e->conn_mode = body[6] & 0x0f;
	e->dev_type = body[8];
	e->cxl_modes = body[9];
	e->max_width = body[10] & 0x3f;
	e->neg_width = body[11] & 0x3f;
	e->speeds = body[12] & 0x3f;
	e->max_speed = body[13] & 0x3f;
	e->cur_speed = body[14] & 0x3f;
	e->ltssm = body[15];
	e->first_lane = body[16];
	e->link_flags = le16_get(body + 17);
}

void rec_vcs_event_put(uint8_t *body, const struct rec_vcs_event *e)
{
	memset(body, 0, REC_EVENT_LEN - REC_EVENT_HDR_LEN);
	body[0] = e->vcs_id;
	body[1] = e->vppb_id;
	body[2] = e->type;
	body[3] = e->binding_status;
	body[4] = e->port_id;
	body[5] = e->ld_id;
	le16_put(body + 6, e->link_control);
	le16_put(body + 8, e->slot_control);
}

void rec_vcs_event_get(const uint8_t *body, struct rec_vcs_event *e)
{
	e->vcs_id = body[0];
	e->vppb_id = body[1];
	e->type = body[2];
	e->binding_status = body[3];
	e->port_id = body[4];
	e->ld_id = body[5];
	e->link_control = le16_get(body + 6);
	e->slot_control = le16_get(body + 8);
}

void rec_mld_port_event_put(uint8_t *body, const struct rec_mld_port_event *e)
{
	memset(body, 0, REC_EVENT_LEN - REC_EVENT_HDR_LEN);
	body[0] = e->type;
	body[1] = e->port_id;
	memcpy(body + 4, e->msg, REC_MLD_PORT_MSG_LEN);
}

void rec_mld_port_event_get(const uint8_t *body, struct rec_mld_port_event *e)
{
	e->type = body[0];
	e->port_id = body[1];
	memcpy(e->msg, body + 4, REC_MLD_PORT_MSG_LEN);
}

void rec_health_info_put(uint8_t *p, const struct rec_health_info *h)
{
	p[0] = h->health_status;
	p[1] = h->media_status;
	p[2] = h->additional_status;
	p[3] = h->life_used;
	le16_put(p + 4, (uint16_t)h->temperature);
	le32_put(p + 6, h->dirty_shutdown_count);
	le32_put(p + 10, h->corrected_volatile_errors);
	le32_put(p + 14, h->corrected_persistent_errors);
}

void rec_health_info_get(const uint8_t *p, struct rec_health_info *h)
{
	h->health_status = p[0];
	h->media_status = p[1];
	h->additional_status = p[2];
	h->life_used = p[3];
	h->temperature = (int16_t)le16_get(p + 4);
	h->dirty_shutdown_count = le32_get(p + 6);
	h->corrected_volatile_errors = le32_get(p + 10);
	h->corrected_persistent_errors = le32_get(p + 14);
}

void rec_mem_module_event_put(uint8_t *body, const struct rec_mem_module_event *e)
{
	memset(body, 0, REC_EVENT_LEN - REC_EVENT_HDR_LEN);
	body[0] = e->type;
	rec_health_info_put(body + 1, &e->health);
	le16_put(body + 19, e->validity);
	memcpy(body + 21, e->component_id, sizeof(e->component_id));
	body[37] = e->sub_type;
}

void rec_mem_module_event_get(const uint8_t *body, struct rec_mem_module_event *e)
{
	e->type = body[0];
	rec_health_info_get(body + 1, &e->health);
	e->validity = le16_get(body + 19);
	memcpy(e->component_id, body + 21, sizeof(e->component_id));
	e->sub_type = body[37];
}
