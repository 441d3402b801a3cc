/* SPDX-License-Identifier: MIT */
#include "proto/cci.h"

#include <errno.h>

#include "proto/le.h"

static const struct {
	const char *name;
	const char *id;
} rc_table[CXL_RC_MAX + 1] = {
	[CXL_RC_SUCCESS] = { "Success", "success" },
	[CXL_RC_BG_STARTED] = { "Background Command Started", "background-started" },
	[CXL_RC_INVALID_INPUT] = { "Invalid Input", "invalid-input" },
	[CXL_RC_UNSUPPORTED] = { "Unsupported", "unsupported" },
	[CXL_RC_INTERNAL_ERROR] = { "Internal Error", "internal-error" },
	[CXL_RC_RETRY_REQUIRED] = { "Retry Required", "retry-required" },
	[CXL_RC_BUSY] = { "Busy", "busy" },
	[CXL_RC_MEDIA_DISABLED] = { "Media Disabled", "media-disabled" },
	[CXL_RC_FW_XFER_IN_PROGRESS] = { "FW Transfer in Progress", "fw-transfer-in-progress" },
	[CXL_RC_FW_XFER_OUT_OF_ORDER] = { "FW Transfer Out of Order", "fw-transfer-out-of-order" },
	[CXL_RC_FW_VERIFY_FAILED] = { "FW Verification Failed", "fw-verification-failed" },
	[CXL_RC_INVALID_SLOT] = { "Invalid Slot", "invalid-slot" },
	[CXL_RC_ACTIVATION_FAILED_ROLLED_BACK] = { "Activation Failed, FW Rolled Back", "activation-failed-rolled-back" },
	[CXL_RC_ACTIVATION_FAILED_COLD_RESET] = { "Activation Failed, Cold Reset Required", "activation-failed-cold-reset" },
	[CXL_RC_INVALID_HANDLE] = { "Invalid Handle", "invalid-handle" },
	[CXL_RC_INVALID_PHYSICAL_ADDRESS] = { "Invalid Physical Address", "invalid-physical-address" },
	[CXL_RC_INJECT_POISON_LIMIT] = { "Inject Poison Limit Reached", "inject-poison-limit" },
	[CXL_RC_PERMANENT_MEDIA_FAILURE] = { "Permanent Media Failure", "permanent-media-failure" },
	[CXL_RC_ABORTED] = { "Aborted", "aborted" },
	[CXL_RC_INVALID_SECURITY_STATE] = { "Invalid Security State", "invalid-security-state" },
	[CXL_RC_INCORRECT_PASSPHRASE] = { "Incorrect Passphrase", "incorrect-passphrase" },
	[CXL_RC_UNSUPPORTED_MAILBOX] = { "Unsupported Mailbox or CCI", "unsupported-mailbox" },
	[CXL_RC_INVALID_PAYLOAD_LENGTH] = { "Invalid Payload Length", "invalid-payload-length" },
	[CXL_RC_INVALID_LOG] = { "Invalid Log", "invalid-log" },
	[CXL_RC_INTERRUPTED] = { "Interrupted", "interrupted" },
	[CXL_RC_UNSUPPORTED_FEATURE_VERSION] = { "Unsupported Feature Version", "unsupported-feature-version" },
	[CXL_RC_UNSUPPORTED_FEATURE_SELECTION] = { "Unsupported Feature Selection Value", "unsupported-feature-selection" },
	[CXL_RC_FEATURE_XFER_IN_PROGRESS] = { "Feature Transfer in Progress", "feature-transfer-in-progress" },
	[CXL_RC_FEATURE_XFER_OUT_OF_ORDER] = { "Feature Transfer Out of Order", "feature-transfer-out-of-order" },
	[CXL_RC_RESOURCES_EXHAUSTED] = { "Resources Exhausted", "resources-exhausted" },
	[CXL_RC_INVALID_EXTENT_LIST] = { "Invalid Extent List", "invalid-extent-list" },
	[CXL_RC_TRANSFER_OUT_OF_ORDER] = { "Transfer Out of Order", "transfer-out-of-order" },
	[CXL_RC_REQUEST_ABORT_NOT_SUPPORTED] = { "Request Abort Not Supported", "request-abort-not-supported" },
};

bool cxl_rc_valid(uint16_t rc)
{
	return rc <= CXL_RC_MAX;
}

const char *cxl_rc_name(uint16_t rc)
{
	return cxl_rc_valid(rc) ? rc_table[rc].name : NULL;
}

const char *cxl_rc_id(uint16_t rc)
{
	return cxl_rc_valid(rc) ? rc_table[rc].id : NULL;
}

int cci_hdr_encode(const struct cci_hdr *h, uint8_t *buf, size_t len)
{
	if (len < CCI_HDR_LEN || h->pl_len > CCI_PL_LEN_MASK)
		return -EMSGSIZE;
	if (h->category > CCI_CAT_RSP)
		return -EINVAL;
	buf[0] = h->category;
	buf[1] = h->tag;
	buf[2] = 0;
	le16_put(buf + 3, h->opcode);
	le24_put(buf + 5, h->pl_len | (h->bg ? CCI_BO_BIT : 0));
	le16_put(buf + 8, h->rc);
	le16_put(buf + 10, h->vendor_status);
	return (int)CCI_HDR_LEN;
}

int cci_msg_decode(const uint8_t *buf, size_t len, struct cci_hdr *h,
		   const uint8_t **payload)
{
	uint32_t w;

	if (len < CCI_HDR_LEN)
		return -EMSGSIZE;
	/* bits[7:4] of byte 0 are reserved: ignored on receive */
	h->category = buf[0] & 0x0f;
	if (h->category > CCI_CAT_RSP)
		return -EBADMSG;
	h->tag = buf[1];
	h->opcode = le16_get(buf + 3);
	w = le24_get(buf + 5);
	h->pl_len = w & CCI_PL_LEN_MASK;
	h->bg = (w & CCI_BO_BIT) != 0;
	h->rc = le16_get(buf + 8);
	h->vendor_status = le16_get(buf + 10);
	if (h->pl_len != len - CCI_HDR_LEN)
		return -EMSGSIZE;
	if (payload)
		*payload = buf + CCI_HDR_LEN;
	return 0;
}
