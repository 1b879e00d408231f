// SPDX-License-Identifier: GPL-2.0
/*
 * verdict - read the console logs of guest runs and say what passed.
 *
 * Usage: verdict [-l TESTS.LIST] [-x XFAIL.LIST] [-k NAME:KTAP-FILE]...
 *                [-R NEW:REF]... [-t FILE] [-j FILE] [-m FILE]
 *                {-r|-b} LABEL:LOG:GUEST-LIST ...
 *
 *   -l  the harness's test list: which tests are "required" (a skip fails)
 *   -x  expected failures: "NAME REASON..." a line; such a test fails on the
 *       base without the series too, and is shown as "xfail", not hidden
 *   -k  the results of an earlier check (the harness tests, the gates), a
 *       KTAP document: its top-level results are counted in
 *   -R  compare two runs by label: no test may do worse in NEW than in REF
 *   -t  also write every result to FILE, "LABEL<tab>TEST<tab>RESULT" a line
 *   -j  also write a JSON summary to FILE: counts, runs, results
 *   -m  also write the whole matrix to FILE: one table, a column a run
 *   -b  a reference run (the base without the series): shown, not counted
 *   -r  one guest run: a column label, its console log, and the test list
 *       the guest ran (NAME TIMEOUT PROGRAM...); LOG.status, written by
 *       scripts/boot.sh, says whether QEMU ended by itself or timed out
 *
 * A run fails as a whole, whatever its tests said, when the kernel log shows
 * a splat, when the guest hung (timeout) or died before /init finished.
 * Prints one table a group of runs (the labels' part before the last '/',
 * "series" of "series/vhe"; a column a run), each no wider than 80
 * columns, then each failure on a line, the log paths, and ends with
 * "N passed, N failed, N skipped". Runs, tests and lists have no fixed
 * limit. Exits 1 when anything failed, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../guest/console.h"

#define NAME_LEN	96
#define TABLE_WIDTH	80	/* the terminal the tables are made for */

enum result { RES_NONE, RES_OK, RES_FAIL, RES_SKIP, RES_TIMEOUT, RES_MISSING, RES_XFAIL, RES_XPASS };

static const char *const result_name[] = {
	[RES_NONE] = "-", [RES_OK] = "ok", [RES_FAIL] = "FAIL", [RES_SKIP] = "skip",
	[RES_TIMEOUT] = "TIMEOUT", [RES_MISSING] = "MISSING", [RES_XFAIL] = "xfail",
	[RES_XPASS] = "xpass",
};

struct cell {
	enum result result;
	double seconds;		/* < 0: unknown */
};

struct row {
	char name[NAME_LEN];	/* "test" or "test: subtest" */
	int is_sub;
	struct cell *cell;	/* one per run */
};

struct run {
	const char *label, *log, *list;
	char status[64];	/* from LOG.status */
	char problem[256];	/* why the run as a whole failed, "" if it did not */
	char splat[160];	/* first splat line */
	char plan_notes[256];	/* tests whose subtests do not match their plan */
	int finished;		/* /init said it was done */
	int reference;		/* shown for comparison, not counted */
};

static struct row *rows;
static int nr_rows, cap_rows;
static struct run *runs;
static int nr_runs, cap_runs;

static char **required;
static int nr_required, cap_required;
static char **xfail, **xfail_reason;
static int nr_xfail, cap_xfail;

static void *xalloc(void *p, size_t n, size_t size)
{
	p = realloc(p, n * size);
	if (!p) {
		fprintf(stderr, "verdict: out of memory\n");
		exit(2);
	}
	return p;
}

/* Room in *ARRAY for one more than NR elements of SIZE; CAP is its size. */
static void *grow(void *array, int nr, int *cap, size_t size)
{
	if (nr < *cap)
		return array;
	*cap = *cap ? 2 * *cap : 16;
	return xalloc(array, *cap, size);
}

/* Kernel messages that mean something went wrong in the host-side kernel. */
static const char *const splat_marks[] = {
	"WARNING:", "BUG:", "Oops", "Unable to handle kernel", "Internal error:",
	"Call trace:", "Kernel panic", "UBSAN:", "KASAN:", "INFO: ",
	"------------[ cut here ]------------", "kernel BUG at",
	"rcu_preempt detected stalls", "self-detected stall",
	"possible circular locking", "Modules linked in:", NULL,
};

/* Copy a string, cut to fit: names and log lines longer than that are rare. */
static void copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

static char *skip_space(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

static int in_list(char **list, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return i;
	return -1;
}

static struct row *row_get(const char *name, int is_sub)
{
	int i, r;

	for (i = 0; i < nr_rows; i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	rows = grow(rows, nr_rows, &cap_rows, sizeof(*rows));
	rows[nr_rows].is_sub = is_sub;
	snprintf(rows[nr_rows].name, NAME_LEN, "%s", name);
	rows[nr_rows].cell = calloc(nr_runs ? nr_runs : 1, sizeof(struct cell));
	if (!rows[nr_rows].cell) {
		fprintf(stderr, "verdict: out of memory\n");
		exit(2);
	}
	for (r = 0; r < nr_runs; r++)
		rows[nr_rows].cell[r].seconds = -1;
	return &rows[nr_rows++];
}

/* Subtests are printed before their parent's result: keep them near it. */
static struct row *subrow_get(const char *parent, const char *sub)
{
	char name[2 * NAME_LEN + 2];
	struct row *r, tmp;
	int i, at = -1;

	snprintf(name, sizeof(name), "%s: %s", parent, sub);
	name[NAME_LEN - 1] = '\0';
	for (i = 0; i < nr_rows; i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	for (i = 0; i < nr_rows; i++)
		if (!strcmp(rows[i].name, parent) ||
		    (!strncmp(rows[i].name, parent, strlen(parent)) &&
		     !strncmp(rows[i].name + strlen(parent), ": ", 2)))
			at = i;
	r = row_get(name, 1);
	if (at >= 0 && at + 1 < nr_rows - 1) {
		tmp = *r;
		memmove(&rows[at + 2], &rows[at + 1],
			(nr_rows - 1 - (at + 1)) * sizeof(*r));
		rows[at + 1] = tmp;
		r = &rows[at + 1];
	}
	return r;
}

/* A message's own copy, so that it does not alias the struct it goes to. */
static const char *line_of(const char *s)
{
	static char buf[160];

	copy(buf, sizeof(buf), s);
	return buf;
}

static int is_splat(const char *line)
{
	int i;

	for (i = 0; splat_marks[i]; i++)
		if (strstr(line, splat_marks[i]))
			return 1;
	return 0;
}

/*
 * Parse "ok N name # DIRECTIVE rest" / "not ok N ...": returns 1 and fills
 * ok, name and directive (SKIP, TIMEOUT, ... or ""), else 0.
 */
static int parse_result(char *line, int *ok, char *name, char *directive)
{
	char *p = line, *hash;

	if (!strncmp(p, "ok ", 3)) {
		*ok = 1;
		p += 3;
	} else if (!strncmp(p, "not ok ", 7)) {
		*ok = 0;
		p += 7;
	} else {
		return 0;
	}
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	p = skip_space(p);
	hash = strstr(p, "# ");
	if (!hash && !strncmp(p, "#", 1))
		hash = p;
	directive[0] = '\0';
	if (hash) {
		char *d = skip_space(hash + 1);

		sscanf(d, "%15s", directive);
		for (char *c = directive; *c; c++)
			*c = toupper((unsigned char)*c);
		if (strcmp(directive, "SKIP") && strcmp(directive, "TIMEOUT") &&
		    strcmp(directive, "XFAIL") && strcmp(directive, "TODO"))
			directive[0] = '\0';
		/* kselftest's skip lines carry no name: "ok 3 # SKIP name: why" */
		if (hash == p) {
			d = skip_space(d + strlen(directive));
			snprintf(name, NAME_LEN, "%.*s", (int)strcspn(d, ":"), d);
			chomp(name);
			return 1;
		}
		*hash = '\0';
	}
	snprintf(name, NAME_LEN, "%s", p);
	for (size_t n = strlen(name); n && isspace((unsigned char)name[n - 1]); n--)
		name[n - 1] = '\0';
	return 1;
}

static enum result result_of(int ok, const char *directive)
{
	if (!strcmp(directive, "SKIP"))
		return RES_SKIP;
	if (!strcmp(directive, "TIMEOUT"))
		return RES_TIMEOUT;
	return ok ? RES_OK : RES_FAIL;
}

static void read_status(struct run *run)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s.status", run->log);
	snprintf(run->status, sizeof(run->status), "unknown");
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(run->status, sizeof(run->status), f))
		chomp(run->status);
	fclose(f);
}

/* Where the reading of one console log is. */
struct reader {
	struct run *run;
	int r;			/* the run's column */
	int in_ktap;		/* /init's KTAP version line has been seen */
	int partial;		/* the last line had no newline */
	int plan, results;	/* /init's plan (-1: none yet) and results */
	char running[NAME_LEN];	/* the test between its marks, or "" */
	double secs;		/* its time, from its TIME_MARK line */
	int sub_plan, sub_results;	/* its own plan (-1: none) and results */
};

static void note_plan(struct run *run, const char *fmt, const char *name,
		      int plan, int results)
{
	size_t len = strlen(run->plan_notes);

	if (len < sizeof(run->plan_notes) - 1)
		snprintf(run->plan_notes + len, sizeof(run->plan_notes) - len,
			 fmt, len ? "; " : "", name, plan, results);
}

/* A test's result line: its row, and its subtests against their plan. */
static void read_test_result(struct reader *rd, int ok, const char *name,
			     const char *directive)
{
	struct cell *c = &row_get(name, 0)->cell[rd->r];

	c->result = result_of(ok, directive);
	c->seconds = rd->secs;
	rd->results++;
	if (!strcmp(name, rd->running) && rd->sub_plan >= 0 &&
	    rd->sub_plan != rd->sub_results) {
		note_plan(rd->run, "%s%s planned %d subtests, reported %d",
			  name, rd->sub_plan, rd->sub_results);
		if (c->result == RES_OK || c->result == RES_SKIP)
			c->result = RES_FAIL;
	}
	rd->running[0] = '\0';
	rd->secs = -1;
}

/* A line of the running test's own output, one KTAP level in. */
static void read_test_output(struct reader *rd, char *line)
{
	char name[NAME_LEN], directive[16];
	int ok;

	if (!*line || isspace((unsigned char)*line))
		return;		/* deeper nesting: not shown */
	if (!strncmp(line, "1..", 3)) {
		rd->sub_plan = atoi(line + 3);
	} else if (parse_result(line, &ok, name, directive)) {
		subrow_get(rd->running, name)->cell[rd->r].result =
			result_of(ok, directive);
		rd->sub_results++;
	}
}

/* One line of the console (see guest/console.h). */
static void read_console_line(struct reader *rd, char *line)
{
	struct run *run = rd->run;
	char name[NAME_LEN], directive[16];
	size_t indent = strlen(INDENT);
	int ok;

	if (!run->splat[0] && strncmp(line, INDENT, indent) && is_splat(line))
		copy(run->splat, sizeof(run->splat), line);
	if (!rd->in_ktap) {
		rd->in_ktap = !strcmp(line, KTAP_VERSION);
		return;
	}
	if (!strncmp(line, RUNNING_MARK, strlen(RUNNING_MARK))) {
		copy(rd->running, sizeof(rd->running), line + strlen(RUNNING_MARK));
		row_get(rd->running, 0);	/* before its subtests */
		rd->secs = -1;
		rd->sub_plan = -1;
		rd->sub_results = 0;
	} else if (!strncmp(line, DONE_MARK, strlen(DONE_MARK))) {
		run->finished = 1;
	} else if (line[0] == '#' && strstr(line, TIME_MARK)) {
		sscanf(strstr(line, TIME_MARK) + strlen(TIME_MARK), "%lf", &rd->secs);
	} else if (!strncmp(line, INDENT, indent) && rd->running[0]) {
		read_test_output(rd, line + indent);
	} else if (!strncmp(line, "1..", 3) && rd->plan < 0) {
		rd->plan = atoi(line + 3);
	} else if (parse_result(line, &ok, name, directive)) {
		read_test_result(rd, ok, name, directive);
	}
}

/* Why the run as a whole failed, if it did. */
static void judge_run(struct reader *rd)
{
	struct run *run = rd->run;

	if (!strncmp(run->status, "timeout", 7))
		snprintf(run->problem, sizeof(run->problem),
			 "guest hung: %s", line_of(run->status));
	else if (strcmp(run->status, "ok") && strcmp(run->status, "unknown"))
		snprintf(run->problem, sizeof(run->problem),
			 "QEMU failed: %s", line_of(run->status));
	else if (run->splat[0])
		snprintf(run->problem, sizeof(run->problem),
			 "kernel splat: %.140s", line_of(run->splat));
	else if (!rd->in_ktap)
		snprintf(run->problem, sizeof(run->problem),
			 "no KTAP output: the guest never reached /init");
	else if (!run->finished)
		snprintf(run->problem, sizeof(run->problem), "%s",
			 rd->partial ? "console log cut in the middle of a line" :
				       "the guest stopped before /init finished");
	else if (rd->plan != rd->results)
		snprintf(run->problem, sizeof(run->problem),
			 "/init planned %d tests, reported %d", rd->plan,
			 rd->results);
	if (run->splat[0] && !strstr(run->problem, "splat"))
		fprintf(stderr, "verdict: %s: also a kernel splat: %s\n",
			run->label, run->splat);
}

static void read_log(int r)
{
	struct reader rd = { .run = &runs[r], .r = r, .plan = -1, .secs = -1 };
	char *line = NULL;
	size_t size = 0;
	FILE *f = fopen(runs[r].log, "r");

	read_status(&runs[r]);
	if (!f) {
		snprintf(runs[r].problem, sizeof(runs[r].problem), "no console log");
		return;
	}
	while (getline(&line, &size, f) > 0) {
		rd.partial = !strchr(line, '\n');
		if (rd.partial)
			break;	/* cut in the middle of a line: do not trust it */
		chomp(line);
		read_console_line(&rd, line);
	}
	free(line);
	fclose(f);
	judge_run(&rd);
}

/* Every test the run was meant to run gets a row; unreported ones fail. */
static void read_guest_list(int r)
{
	char line[1024], name[NAME_LEN];
	FILE *f = fopen(runs[r].list, "r");

	if (!f) {
		fprintf(stderr, "verdict: %s: cannot read\n", runs[r].list);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		struct row *row;

		if (sscanf(line, "%95s", name) != 1 || name[0] == '#')
			continue;
		row = row_get(name, 0);
		if (row->cell[r].result == RES_NONE)
			row->cell[r].result =
				!strncmp(runs[r].status, "timeout", 7) ?
				RES_TIMEOUT : RES_MISSING;
	}
	fclose(f);
}

static void read_names(const char *path, int want_required)
{
	char line[1024], name[NAME_LEN], flags[256];
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "verdict: %s: cannot read\n", path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = skip_space(line);
		int n;

		if (*p == '#' || !*p)
			continue;
		if (want_required) {
			if (sscanf(p, "%95s %*d %255s", name, flags) == 2 &&
			    strstr(flags, "required")) {
				required = grow(required, nr_required,
						&cap_required, sizeof(*required));
				required[nr_required++] = strdup(name);
			}
		} else if (sscanf(p, "%95s %n", name, &n) == 1) {
			chomp(p + n);
			xfail = grow(xfail, nr_xfail, &cap_xfail, sizeof(*xfail));
			xfail_reason = xalloc(xfail_reason, cap_xfail,
					      sizeof(*xfail_reason));
			xfail[nr_xfail] = strdup(name);
			xfail_reason[nr_xfail++] = strdup(p + n);
		}
	}
	fclose(f);
}

static int is_required(const char *name)
{
	char top[NAME_LEN];

	snprintf(top, sizeof(top), "%.*s", (int)strcspn(name, ":"), name);
	return in_list(required, nr_required, top) >= 0;
}

/* How good a result is, for the comparison with a reference run. */
static int rank(enum result r)
{
	switch (r) {
	case RES_OK:
	case RES_XPASS:
		return 2;
	case RES_SKIP:
		return 1;
	default:
		return 0;
	}
}

static int run_index(const char *label)
{
	int r;

	for (r = 0; r < nr_runs; r++)
		if (!strcmp(runs[r].label, label))
			return r;
	fprintf(stderr, "verdict: no run labelled %s\n", label);
	exit(2);
}

static void add_run(char *spec, int reference)
{
	char *a = strchr(spec, ':');
	char *b = a ? strchr(a + 1, ':') : NULL;

	if (!b) {
		fprintf(stderr, "verdict: bad run %s\n", spec);
		exit(2);
	}
	runs = grow(runs, nr_runs, &cap_runs, sizeof(*runs));
	memset(&runs[nr_runs], 0, sizeof(*runs));
	*a = *b = '\0';
	runs[nr_runs].label = spec;
	runs[nr_runs].log = a + 1;
	runs[nr_runs].list = b + 1;
	runs[nr_runs].reference = reference;
	nr_runs++;
}

static int run_has_failure(int r)
{
	int i;

	for (i = 0; i < nr_rows; i++)
		switch (rows[i].cell[r].result) {
		case RES_FAIL:
		case RES_TIMEOUT:
		case RES_MISSING:
			return 1;
		default:
			break;
		}
	return 0;
}

/*
 * The command that boots a failed run's guest again, left by
 * scripts/boot-modes.sh, and for each failed test the same command with
 * harness_only=TEST, which has the guest's init run that test alone.
 */
static void print_reproducer(int r)
{
	char path[4096], *line = NULL;
	size_t size = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s.repro", runs[r].log);
	f = fopen(path, "r");
	if (!f)
		return;
	if (getline(&line, &size, f) > 0) {
		chomp(line);
		printf("reproduce %s: %s\n", runs[r].label, line);
		for (i = 0; i < nr_rows; i++) {
			enum result res = rows[i].cell[r].result;

			if (!rows[i].is_sub && (res == RES_FAIL ||
			    res == RES_TIMEOUT || res == RES_MISSING))
				printf("reproduce %s %s: %s harness_only=%s\n",
				       runs[r].label, rows[i].name, line,
				       rows[i].name);
		}
	}
	free(line);
	fclose(f);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* The summary for CI systems: the counts, each run, each test's results. */
static void write_json(const char *path, int passed, int failed, int skipped)
{
	FILE *f = fopen(path, "w");
	int i, r;

	if (!f) {
		fprintf(stderr, "verdict: %s: cannot write\n", path);
		exit(2);
	}
	fprintf(f, "{\n  \"passed\": %d, \"failed\": %d, \"skipped\": %d,\n  \"runs\": [",
		passed, failed, skipped);
	for (r = 0; r < nr_runs; r++) {
		fprintf(f, "%s\n    { \"label\": ", r ? "," : "");
		json_string(f, runs[r].label);
		fprintf(f, ", \"log\": ");
		json_string(f, runs[r].log);
		fprintf(f, ", \"counted\": %s, \"problem\": ",
			runs[r].reference ? "false" : "true");
		json_string(f, runs[r].problem);
		fprintf(f, " }");
	}
	fprintf(f, "\n  ],\n  \"tests\": [");
	for (i = 0; i < nr_rows; i++) {
		fprintf(f, "%s\n    { \"name\": ", i ? "," : "");
		json_string(f, rows[i].name);
		fprintf(f, ", \"results\": {");
		for (r = 0; r < nr_runs; r++) {
			fprintf(f, "%s ", r ? "," : "");
			json_string(f, runs[r].label);
			fprintf(f, ": ");
			json_string(f, result_name[rows[i].cell[r].result]);
		}
		fprintf(f, " } }");
	}
	fprintf(f, "\n  ]\n}\n");
	fclose(f);
}

/* Every cell, one a line: "LABEL<tab>TEST<tab>RESULT", for other tools. */
static void write_results(const char *path)
{
	FILE *f = fopen(path, "w");
	int i, r;

	if (!f) {
		fprintf(stderr, "verdict: %s: cannot write\n", path);
		exit(2);
	}
	for (i = 0; i < nr_rows; i++)
		for (r = 0; r < nr_runs; r++)
			if (rows[i].cell[r].result != RES_NONE)
				fprintf(f, "%s\t%s\t%s\n", runs[r].label,
					rows[i].name,
					result_name[rows[i].cell[r].result]);
	fclose(f);
}

struct counts {
	int passed, failed, skipped;
};

/* The policy: required tests that skip fail, known failures are xfail. */
static void apply_policy(void)
{
	int i, r;

	for (i = 0; i < nr_rows; i++) {
		struct row *row = &rows[i];
		char top[NAME_LEN];
		int x;

		snprintf(top, sizeof(top), "%.*s", (int)strcspn(row->name, ":"),
			 row->name);
		x = in_list(xfail, nr_xfail, top);
		for (r = 0; r < nr_runs; r++) {
			struct cell *c = &row->cell[r];

			if (c->result == RES_SKIP && is_required(row->name))
				c->result = RES_FAIL;
			/* A known failure may fail or time out; a test the
			 * guest never reached is still missing. */
			if (x >= 0 && !row->is_sub &&
			    (c->result == RES_FAIL || c->result == RES_TIMEOUT))
				c->result = RES_XFAIL;
			else if (x >= 0 && !row->is_sub && c->result == RES_OK)
				c->result = RES_XPASS;
		}
	}

}

static int counts_as_failure(enum result r)
{
	return r == RES_FAIL || r == RES_TIMEOUT || r == RES_MISSING;
}

/* The counted runs' cells, and one "(kernel log clean)" result a run. */
static void count_cells(struct counts *n)
{
	int i, r;

	for (r = 0; r < nr_runs; r++) {
		if (runs[r].reference)
			continue;	/* shown for comparison only */
		for (i = 0; i < nr_rows; i++)
			switch (rows[i].cell[r].result) {
			case RES_OK:
			case RES_XPASS:
				n->passed++;
				break;
			case RES_SKIP:
			case RES_XFAIL:
				n->skipped++;
				break;
			case RES_NONE:
				break;
			default:
				n->failed++;
				break;
			}
		if (runs[r].problem[0])
			n->failed++;
		else
			n->passed++;
	}
}

static void cell_text(char *text, size_t size, const struct cell *c)
{
	if (c->seconds >= 0)
		snprintf(text, size, "%s %.1fs", result_name[c->result], c->seconds);
	else
		snprintf(text, size, "%s", result_name[c->result]);
}

#define KERNEL_LOG_ROW	"(kernel log clean)"

/* Whether ROW has a result in one of the runs COLS[0..N-1]. */
static int shown(const struct row *row, const int *cols, int n)
{
	int j;

	for (j = 0; j < n; j++)
		if (row->cell[cols[j]].result != RES_NONE)
			return 1;
	return 0;
}

/*
 * One table: the rows that have a result in one of the runs COLS[0..N-1],
 * a column each, headed HEAD[...]. The test names get what the columns
 * leave of WIDTH (no limit if WIDTH is 0); a longer name has a line of
 * its own, its results on the next.
 */
static void print_table(FILE *f, const int *cols, char **head, int n, int width)
{
	int i, j, namew = (int)strlen(KERNEL_LOG_ROW) + 2, cellsw = 0;
	int *colw = xalloc(NULL, n ? n : 1, sizeof(int));
	char text[64];

	for (j = 0; j < n; j++) {
		colw[j] = strlen(head[j]);
		for (i = 0; i < nr_rows; i++) {
			cell_text(text, sizeof(text), &rows[i].cell[cols[j]]);
			if (rows[i].cell[cols[j]].result != RES_NONE &&
			    (int)strlen(text) > colw[j])
				colw[j] = strlen(text);
		}
		if (colw[j] < 4)
			colw[j] = 4;
		cellsw += colw[j] + 1;
	}
	for (i = 0; i < nr_rows; i++)
		if (shown(&rows[i], cols, n) &&
		    (int)strlen(rows[i].name) + 2 + 2 * rows[i].is_sub > namew)
			namew = strlen(rows[i].name) + 2 + 2 * rows[i].is_sub;
	if (width && namew > width - cellsw)
		namew = width - cellsw;
	fprintf(f, "%-*s", namew, "test");
	for (j = 0; j < n; j++)
		fprintf(f, " %-*s", j + 1 < n ? colw[j] : 0, head[j]);
	fprintf(f, "\n");
	for (i = 0; i < nr_rows; i++) {
		int len = strlen(rows[i].name) + 2 * rows[i].is_sub;

		if (!shown(&rows[i], cols, n))
			continue;
		fprintf(f, "%s%s", rows[i].is_sub ? "  " : "", rows[i].name);
		if (len >= namew) {
			fprintf(f, "\n");
			len = 0;
		}
		fprintf(f, "%*s", namew - len, "");
		for (j = 0; j < n; j++) {
			cell_text(text, sizeof(text), &rows[i].cell[cols[j]]);
			fprintf(f, " %-*s", j + 1 < n ? colw[j] : 0, text);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "%-*s", namew, KERNEL_LOG_ROW);
	for (j = 0; j < n; j++)
		fprintf(f, " %-*s", j + 1 < n ? colw[j] : 0,
			runs[cols[j]].problem[0] ? "FAIL" : "ok");
	fprintf(f, "\n");
	free(colw);
}

/* The group of a label: its part before the last '/', "" if none. */
static int group_len(const char *label)
{
	const char *slash = strrchr(label, '/');

	return slash ? slash - label : 0;
}

static int same_group(int a, int b)
{
	int n = group_len(runs[a].label);

	return n == group_len(runs[b].label) &&
	       !strncmp(runs[a].label, runs[b].label, n);
}

/*
 * The tables of the terminal: one a group of runs, its columns headed by
 * the rest of their labels ("vhe"), split where they would not fit in
 * TABLE_WIDTH with a name column of at least 24 characters.
 */
static void print_groups(void)
{
	int *cols = xalloc(NULL, nr_runs, sizeof(int));
	char **head = xalloc(NULL, nr_runs, sizeof(char *));
	char *done = calloc(nr_runs, 1);
	int g, r, n;

	for (g = 0; g < nr_runs; g++) {
		int glen = group_len(runs[g].label), used = 0, widest;

		if (done[g])
			continue;
		n = 0;
		for (r = g; r < nr_runs; r++)
			if (!done[r] && same_group(g, r))
				cols[n++] = r, done[r] = 1;
		if (glen)
			printf("\n%.*s%s\n", glen, runs[g].label,
			       runs[g].reference ? " (reference, not counted)" : "");
		else
			printf("\n");
		for (r = 0; r < n; r++)
			head[r] = (char *)runs[cols[r]].label + (glen ? glen + 1 : 0);
		/* Chunks of columns that fit beside a name column of 24. */
		while (used < n) {
			int take = 0, w = 24;

			while (used + take < n) {
				char text[64];
				int i, cw = strlen(head[used + take]);

				for (i = 0; i < nr_rows; i++) {
					struct cell *c = &rows[i].cell[cols[used + take]];

					cell_text(text, sizeof(text), c);
					if (c->result != RES_NONE && (int)strlen(text) > cw)
						cw = strlen(text);
				}
				widest = (cw < 4 ? 4 : cw) + 1;
				if (take && w + widest > TABLE_WIDTH)
					break;
				w += widest;
				take++;
			}
			if (used)
				printf("\n");
			print_table(stdout, cols + used, head + used, take, TABLE_WIDTH);
			used += take;
		}
	}
	free(cols);
	free(head);
	free(done);
}

/* Every test by every run, in one table, for a file. */
static void write_matrix(const char *path)
{
	FILE *f = fopen(path, "w");
	int *cols = xalloc(NULL, nr_runs, sizeof(int));
	char **head = xalloc(NULL, nr_runs, sizeof(char *));
	int r;

	if (!f) {
		fprintf(stderr, "verdict: %s: cannot write\n", path);
		exit(2);
	}
	for (r = 0; r < nr_runs; r++) {
		cols[r] = r;
		head[r] = (char *)runs[r].label;
	}
	print_table(f, cols, head, nr_runs, 0);
	for (r = 0; r < nr_runs; r++)
		if (runs[r].reference)
			fprintf(f, "(%s: reference, not counted)\n", runs[r].label);
	fclose(f);
	free(cols);
	free(head);
}

/*
 * The failed tests of the counted runs, next to the counts: "failed in
 * RUN:", then "  TEST RESULT" a line (a run that failed as a whole has
 * its "run LABEL FAILED" line above).
 */
static void print_failures(void)
{
	int i, r;

	for (r = 0; r < nr_runs; r++) {
		if (runs[r].reference || !run_has_failure(r))
			continue;
		printf("failed in %s:\n", runs[r].label);
		for (i = 0; i < nr_rows; i++)
			if (counts_as_failure(rows[i].cell[r].result))
				printf("  %s %s\n", rows[i].name,
				       result_name[rows[i].cell[r].result]);
	}
}

/* Known failures, what failed each run, its reproducer, and its log. */
static void print_runs(void)
{
	int i, r;

	for (i = 0; i < nr_xfail; i++)
		printf("expected failure: %s: %s\n", xfail[i], xfail_reason[i]);
	for (r = 0; r < nr_runs; r++) {
		if (runs[r].problem[0])
			printf("run %s FAILED: %s\n", runs[r].label, runs[r].problem);
		if (runs[r].plan_notes[0])
			printf("plan %s: %s\n", runs[r].label, runs[r].plan_notes);
		if (runs[r].problem[0] || run_has_failure(r))
			print_reproducer(r);
		printf("log %-12s %s%s\n", runs[r].label, runs[r].log,
		       runs[r].reference ? " (reference, not counted)" : "");
	}
}

/* Is the test a known failure whose reason starts with "timing"? */
static int is_timing_xfail(const char *name)
{
	int x = in_list(xfail, nr_xfail, name);

	return x >= 0 && !strncmp(xfail_reason[x], "timing", 6);
}

/* NEW:REF: no test may do worse in run NEW than in run REF. */
static void check_regression(char *spec, struct counts *n)
{
	char *colon = strchr(spec, ':'), worse[1024] = "";
	int new, ref, r, len = 0;

	*colon = '\0';
	new = run_index(spec);
	ref = run_index(colon + 1);
	for (r = 0; r < nr_rows; r++) {
		struct cell *cn = &rows[r].cell[new], *co = &rows[r].cell[ref];

		if (cn->result == RES_NONE || co->result == RES_NONE ||
		    rank(cn->result) >= rank(co->result))
			continue;
		/*
		 * A known failure that xfail.list says fails by timing, on the
		 * base too: that it passed there once says nothing of the
		 * series.
		 */
		if (cn->result == RES_XFAIL && co->result == RES_XPASS &&
		    is_timing_xfail(rows[r].name))
			continue;
		len += snprintf(worse + len, sizeof(worse) - len, " %s (%s, was %s)",
				rows[r].name, result_name[cn->result],
				result_name[co->result]);
		if (len >= (int)sizeof(worse))
			break;
	}
	if (worse[0]) {
		printf("regression %s against %s: FAIL:%s\n", spec, colon + 1,
		       worse);
		n->failed++;
	} else {
		printf("regression %s against %s: ok, nothing worse\n", spec,
		       colon + 1);
		n->passed++;
	}
}

/*
 * NAME:FILE, the KTAP document an earlier check left (the harness tests,
 * the gates, ...): its top-level results are counted, each "not ok" named.
 * A file that is missing, is not KTAP, or whose results do not match its
 * plan counts as one failure. Returns -1 on bad usage.
 */
static int add_check(char *spec, struct counts *n)
{
	char *colon = strchr(spec, ':'), *line = NULL, name[NAME_LEN];
	char directive[16];
	int planned = -1, results = 0, p = 0, f = 0, k = 0, ok, version = 0;
	size_t cap = 0;
	FILE *in;

	if (!colon || colon == spec || !colon[1])
		return -1;
	*colon = '\0';
	in = fopen(colon + 1, "r");
	if (!in) {
		printf("%s: FAIL: %s: no results\n", spec, colon + 1);
		n->failed++;
		return 0;
	}
	while (getline(&line, &cap, in) != -1) {
		chomp(line);
		if (!strcmp(line, "KTAP version 1"))
			version = 1;
		else if (planned < 0 && sscanf(line, "1..%d", &planned) == 1)
			continue;
		else if (parse_result(line, &ok, name, directive)) {
			results++;
			if (!strcmp(directive, "SKIP"))
				k++;
			else if (ok)
				p++;
			else {
				f++;
				printf("%s: not ok: %s\n", spec, name);
			}
		}
	}
	free(line);
	fclose(in);
	if (!version || planned < 0 || planned != results) {
		printf("%s: FAIL: %s: %s\n", spec, colon + 1,
		       !version ? "not a KTAP document" :
		       planned < 0 ? "no plan" : "results do not match the plan");
		n->failed++;
		return 0;
	}
	printf("%s: %d passed, %d failed, %d skipped (%s; counted below)\n",
	       spec, p, f, k, colon + 1);
	n->passed += p;
	n->failed += f;
	n->skipped += k;
	return 0;
}

int main(int argc, char **argv)
{
	struct counts n = { 0 };
	char **compare = xalloc(NULL, argc, sizeof(char *));
	char **checks = xalloc(NULL, argc, sizeof(char *));
	int nr_compare = 0, nr_checks = 0;
	int i, r, opt;
	const char *results_path = NULL, *json_path = NULL, *matrix_path = NULL;

	while ((opt = getopt(argc, argv, "l:x:k:r:b:R:t:j:m:")) != -1) {
		switch (opt) {
		case 'm':
			matrix_path = optarg;
			break;
		case 'j':
			json_path = optarg;
			break;
		case 't':
			results_path = optarg;
			break;
		case 'l':
			read_names(optarg, 1);
			break;
		case 'x':
			read_names(optarg, 0);
			break;
		case 'k':
			checks[nr_checks++] = optarg;
			break;
		case 'r':
		case 'b':
			add_run(optarg, opt == 'b');
			break;
		case 'R':
			if (!strchr(optarg, ':'))
				goto usage;
			compare[nr_compare++] = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (!nr_runs || optind != argc)
		goto usage;

	for (r = 0; r < nr_runs; r++) {
		read_log(r);
		read_guest_list(r);
	}

	apply_policy();
	if (results_path)
		write_results(results_path);
	count_cells(&n);
	print_groups();
	printf("\n");
	if (matrix_path) {
		write_matrix(matrix_path);
		printf("matrix: %s (every test by every run)\n", matrix_path);
	}
	print_runs();
	for (i = 0; i < nr_compare; i++)
		check_regression(compare[i], &n);
	for (i = 0; i < nr_checks; i++)
		if (add_check(checks[i], &n))
			goto usage;
	print_failures();
	if (json_path)
		write_json(json_path, n.passed, n.failed, n.skipped);
	printf("%d passed, %d failed, %d skipped\n", n.passed, n.failed, n.skipped);
	return n.failed ? 1 : 0;

usage:
	fprintf(stderr, "usage: verdict [-l LIST] [-x XFAIL] [-k NAME:KTAP-FILE]... "
		"[-R NEW:REF]... [-t FILE] [-j FILE] [-m FILE] "
		"{-r|-b} LABEL:LOG:GUEST-LIST ...\n");
	return 2;
}
