/* fuzz_session.c - libFuzzer target: samvad_session_restore on arbitrary
 * bytes against the bundled fsm-specs catalogue (loaded once).
 *
 * Malformed bytes must be refused cleanly (ECORRUPT, EVERSION or ELIMIT,
 * no session). Bytes that restore must give a session that saves,
 * restores and saves again to identical bytes, and that then steps a few
 * messages (chosen from the input) with well-formed replies, each new
 * session surviving the same round trip. The seed corpus is sessions
 * saved by fuzz_step over the bundled transcripts (see run.sh). */
#include "fuzz_common.h"

static const samvad_catalogue *g_cat;
static unsigned char g_buf[SAMVAD_MAX_SESSION_BYTES];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  g_cat = fz_load_catalogue(fz_specs_dir());
  return 0;
}

/* Messages that reach most of the engine's paths from wherever a session
 * happens to be: commands, answers of every input type, taps, media. */
static const struct {
  samvad_message_kind kind;
  const char *s;
} k_msgs[] = {
    {SAMVAD_MSG_TEXT, "hi"},          {SAMVAD_MSG_TEXT, "1"},
    {SAMVAD_MSG_TEXT, "2"},           {SAMVAD_MSG_TEXT, "back"},
    {SAMVAD_MSG_TEXT, "help"},        {SAMVAD_MSG_TEXT, "cancel"},
    {SAMVAD_MSG_TEXT, "yes"},         {SAMVAD_MSG_TEXT, "नहीं"},
    {SAMVAD_MSG_TEXT, "status"},      {SAMVAD_MSG_TEXT, "12/03/1995"},
    {SAMVAD_MSG_TEXT, "Rahul Verma"}, {SAMVAD_MSG_TEXT, "110092"},
    {SAMVAD_MSG_TEXT, "9810000001"},  {SAMVAD_MSG_TEXT, "english"},
    {SAMVAD_MSG_TEXT, "\xff\xfe"},    {SAMVAD_MSG_OPTION, "confirm"},
    {SAMVAD_MSG_OPTION, "continue"},  {SAMVAD_MSG_OPTION, "restart"},
    {SAMVAD_MSG_OPTION, "edit_groom_name"},
    {SAMVAD_MSG_MEDIA, "/tmp/photo.jpg"},
};
#define K_NMSGS (sizeof k_msgs / sizeof k_msgs[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!g_cat)
    LLVMFuzzerInitialize(NULL, NULL);
  samvad_session *s = (samvad_session *)1;
  int rc = samvad_session_restore(g_cat, NULL, data, size, &s);
  if (rc != SAMVAD_OK) {
    FZ_CHECK(s == NULL, "a refused restore left a session");
    FZ_CHECK(rc == SAMVAD_ECORRUPT || rc == SAMVAD_EVERSION ||
                 (rc == SAMVAD_ELIMIT && size > SAMVAD_MAX_SESSION_BYTES),
             "restore: %s", samvad_err_name(rc));
    return 0;
  }
  FZ_CHECK(s != NULL, "restore succeeded without a session");
  const char *flow = samvad_session_flow(s);
  FZ_CHECK((flow == NULL) == (samvad_session_state(s) == NULL), "flow/state");
  if (flow) {
    fz_check_str(flow, "session flow");
    fz_check_str(samvad_session_state(s), "session state");
  }
  size_t len = fz_save(s, g_buf);
  samvad_session_destroy(fz_roundtrip(g_cat, g_buf, len));

  samvad_replies *r = NULL;
  FZ_CHECK(samvad_replies_create(NULL, &r) == SAMVAD_OK, "replies");
  /* The messages and the clock come from the input's bytes, so the
   * fuzzer steers them too; the clock stays near the session's own. */
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < size; i++)
    h = (h ^ data[i]) * 16777619u;
  int64_t now = FZ_T0 + (int64_t)(h % 4096) * 60;
  for (int k = 0; k < 4; k++) {
    samvad_message m;
    memset(&m, 0, sizeof m);
    unsigned pick = (h >> (k * 5)) % K_NMSGS;
    m.kind = k_msgs[pick].kind;
    m.id = "fz";
    if (m.kind == SAMVAD_MSG_TEXT) {
      m.text = k_msgs[pick].s;
      m.text_len = strlen(m.text);
    } else if (m.kind == SAMVAD_MSG_OPTION) {
      m.option_id = k_msgs[pick].s;
    } else {
      m.media_id = k_msgs[pick].s;
      m.media_mime = "image/jpeg";
    }
    rc = samvad_step(g_cat, s, &m, now, r);
    FZ_CHECK(rc == SAMVAD_OK, "step %d: %s", k, samvad_err_name(rc));
    fz_check_replies(r);
    len = fz_save(s, g_buf);
    samvad_session_destroy(fz_roundtrip(g_cat, g_buf, len));
    now += 1 + (int64_t)((h >> (k * 7)) % 7) * 1800;
  }
  samvad_replies_destroy(r);
  samvad_session_destroy(s);
  return 0;
}
