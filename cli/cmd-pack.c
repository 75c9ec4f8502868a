/* mrm pack: write an evidence pack of a model, and verify one offline. */
#include "cli/cmd.h"

int cmd_pack(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_usage_error(c, "not yet");
}
