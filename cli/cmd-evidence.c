/* mrm evidence: not built yet (placeholder so the command table links). */
#include "cli/cmd.h"

int cmd_evidence(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_usage_error(c, "'mrm evidence' is not implemented yet");
}
