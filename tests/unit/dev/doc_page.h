/* SPDX-License-Identifier: MIT */
/*
 * What the generated docs pages share (commands_doc.c: docs/commands.md,
 * fidelity_doc.c: docs/fidelity.md): where cxl-emu implements an opcode,
 * read from the devices the models build (ccis_fixture.h), and a runner
 * that prints a page or, with --check FILE, fails unless FILE is the page.
 */
#ifndef DOC_PAGE_H
#define DOC_PAGE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccis_fixture.h"

/* Labels of the device variants in a column: on every device, with DC regions, on an MLD. */
static const char *const doc_variant_label[CCIS_VARIANTS] = { "yes", "dc", "mld" };

/*
 * Where cxl-emu implements opcode in column col: "yes" on every device,
 * "dc" only with DC regions, "mld" only on an MLD, "" nowhere (Unsupported).
 * The switch has one variant and two CCIs (mailbox, MCTP): "mctp" when
 * only its MCTP CCI has it.
 */
static inline const char *doc_where(struct ccis *c, enum ccis_col col, uint16_t opcode)
{
	struct cci *cc[2];

	for (unsigned v = 0; v < CCIS_VARIANTS; v++) {
		size_t n = ccis_get(c, col, (enum ccis_variant)v, cc);
		bool all = n > 0;

		for (size_t i = 0; i < n; i++)
			all = all && cci_find(cc[i], opcode) != NULL;
		if (all)
			return doc_variant_label[v];
		if (col == CCIS_SWITCH)
			return n == 2 && cci_find(cc[1], opcode) ? "mctp" : "";
	}
	return "";
}

/* "at least n" or "n" bytes, as the pages print lengths. */
static inline void doc_len(FILE *f, bool var, uint32_t len)
{
	fprintf(f, var ? ">= %u" : "%u", (unsigned)len);
}

/* 0 when the file at path holds exactly want; else 1, saying where it differs. */
static inline int doc_check(const char *prog, const char *want, size_t want_len,
			    const char *path, const char *regen)
{
	FILE *f = fopen(path, "r");
	size_t line = 1, i = 0;
	char *have;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "%s: cannot read %s\n", prog, path);
		if (f)
			fclose(f);
		return 1;
	}
	have = malloc((size_t)n + 1);
	if (!have || fread(have, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: cannot read %s\n", prog, path);
		fclose(f);
		free(have);
		return 1;
	}
	fclose(f);
	for (; i < want_len && i < (size_t)n && want[i] == have[i]; i++)
		if (want[i] == '\n')
			line++;
	free(have);
	if (i == want_len && (size_t)n == want_len)
		return 0;
	fprintf(stderr, "%s: %s differs from what the code says at line %zu;\n"
		"regenerate it: %s\n", prog, path, line, regen);
	return 1;
}

/* Writes a page to f from the devices c; 0 or 1 (the reason on stderr). */
typedef int (*doc_page_fn)(struct ccis *c, FILE *f, void *arg);

/*
 * Builds the devices, renders page(c, f, arg) and prints it, or with
 * check_path compares it with that file (doc_check). Exit status.
 */
static inline int doc_run(const char *prog, const char *regen, doc_page_fn page, void *arg,
			  const char *check_path)
{
	struct ccis c;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int rc;

	if (ccis_build(&c)) {
		fprintf(stderr, "%s: cannot build the devices\n", prog);
		ccis_free(&c);
		return 1;
	}
	mem = open_memstream(&buf, &len);
	if (!mem) {
		ccis_free(&c);
		return 1;
	}
	rc = page(&c, mem, arg);
	fclose(mem);
	ccis_free(&c);
	if (!rc && check_path)
		rc = doc_check(prog, buf, len, check_path, regen);
	else if (!rc)
		rc = fwrite(buf, 1, len, stdout) == len ? 0 : 1;
	free(buf);
	return rc;
}

#endif
