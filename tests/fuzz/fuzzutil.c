/*
 * fuzzutil.c: scratch directories, file helpers and the small fixed index
 * the fuzz targets share (see fuzzutil.h). Test code: plain malloc, and
 * abort() on any failure of the environment, never of the code under test.
 */
#include "fuzzutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hks.h"

static char g_scratch[512];

void fuzz_check_at(bool ok, const char *what, const char *file, int line)
{
    if (ok)
        return;
    fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
    abort();
}

void fuzz_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    if (!d) {
        unlink(dir);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            fuzz_rmtree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static void remove_scratch(void)
{
    if (g_scratch[0])
        fuzz_rmtree(g_scratch);
}

const char *fuzz_scratch_dir(void)
{
    const char *tmp;
    if (g_scratch[0])
        return g_scratch;
    tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    snprintf(g_scratch, sizeof g_scratch, "%s/hks-fuzz-XXXXXX", tmp);
    if (!mkdtemp(g_scratch)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(remove_scratch);
    return g_scratch;
}

void fuzz_subdir(char *buf, size_t cap, const char *name)
{
    int k = snprintf(buf, cap, "%s/%s", fuzz_scratch_dir(), name);
    fuzz_check(k > 0 && (size_t)k < cap);
    fuzz_rmtree(buf);
    if (mkdir(buf, 0700) != 0) {
        perror("fuzz: mkdir");
        abort();
    }
}

void fuzz_write_file(const char *dir, const char *name, const void *p,
                     size_t n)
{
    char path[1024];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || (n > 0 && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        perror("fuzz: write");
        abort();
    }
}

uint8_t *fuzz_read_file(const char *dir, const char *name, size_t *n_out)
{
    char path[1024];
    FILE *f;
    uint8_t *p;
    long n;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        perror("fuzz: read");
        abort();
    }
    p = malloc((size_t)n + 1);
    fuzz_check(p != NULL);
    fuzz_check(fread(p, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *n_out = (size_t)n;
    return p;
}

/* Short articles: simplified and traditional script (醫院 = 医院),
 * Latin words and numbers, full-width forms, dates in several shapes. */
static const struct {
    const char *id, *title, *body, *date, *source;
} k_docs[] = {
    {"1", "北京市卫健委：新冠疫苗接种进展",
     "截至昨日，全市累计接种新冠疫苗3.2万剂次。COVID-19疫情防控仍需坚持，"
     "请市民积极配合医院和社区的安排。",
     "2022-01-15", "北京卫健委"},
    {"2", "縣醫院開展義診活動",
     "本周六，縣醫院組織專家團隊深入鄉鎮開展義診，為群眾測量血壓、"
     "血糖，並宣傳疫苗接種知識。",
     "2021年6月3日", "台灣新聞網"},
    {"3", "H1N1 influenza: hospital guidance",
     "The county hospital issued guidance on H1N1 and COVID-19 vaccines. "
     "医院提醒：接种后留观30分钟。",
     "2020/11/02", "Health Daily"},
    {"4", "",
     "社区卫生服务中心　提供ＡＢＣ１２３全科诊疗服务，医生团队每周一至周五坐诊。"
     "版权所有 © 2023 医院网",
     "", ""},
    {"5", "基层医疗卫生机构建设",
     "乡村医生是基层卫生健康工作的重要力量。医生、护士和公共卫生人员"
     "共同守护群众健康。医疗 医院 医生 医药 医保",
     "2023-09", "国家卫健委"},
};

void fuzz_build_index(const char *dir)
{
    hks_writer *w = NULL;
    size_t i;
    mkdir(dir, 0700);
    fuzz_check(hks_writer_open(dir, NULL, &w) == HKS_OK);
    for (i = 0; i < sizeof k_docs / sizeof k_docs[0]; i++) {
        hks_doc d;
        memset(&d, 0, sizeof d);
        d.collection = "news";
        d.collection_len = 4;
        d.id = k_docs[i].id;
        d.id_len = strlen(d.id);
        d.title = k_docs[i].title;
        d.title_len = strlen(d.title);
        d.body = k_docs[i].body;
        d.body_len = strlen(d.body);
        d.date = k_docs[i].date;
        d.date_len = strlen(d.date);
        d.source = k_docs[i].source;
        d.source_len = strlen(d.source);
        if (i % 2 == 0) { /* the fields beyond the five, on some documents */
            d.author = "本报记者";
            d.author_len = strlen(d.author);
            d.category = "要闻";
            d.category_len = strlen(d.category);
            d.tags = "疫苗\n医院";
            d.tags_len = strlen(d.tags);
        }
        fuzz_check(hks_writer_add(w, &d) == HKS_OK);
    }
    fuzz_check(hks_writer_commit(w) == HKS_OK);
    hks_writer_close(w);
}

uint32_t fuzz_take_u32(const uint8_t **p, size_t *n, size_t width)
{
    uint32_t v = 0;
    size_t i;
    for (i = 0; i < width && i < 4; i++) {
        if (*n > 0) {
            v |= (uint32_t) * *p << (8 * i);
            (*p)++;
            (*n)--;
        }
    }
    return v;
}
