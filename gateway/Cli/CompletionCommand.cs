using System.CommandLine;

namespace Gateway.Cli;

/// <summary>
/// `gateway completion bash`: a bash completion function. System.CommandLine answers the
/// <c>[suggest:POSITION]</c> directive with the words valid at a cursor position, so the script
/// asks the installed gateway itself and never goes stale when commands change.
/// </summary>
internal static class CompletionCommand
{
    // COMP_LINE starts with the command name, which the directive skips; COMP_POINT is the cursor.
    private const string BashScript = """
        # bash completion for gateway; load with: source <(gateway completion bash)
        _gateway_complete() {
          local IFS=$'\n' candidates
          candidates=$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) || return 0
          # shellcheck disable=SC2207
          COMPREPLY=($(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _gateway_complete gateway
        """;

    public static Command Create(CliContext context)
    {
        var shell = new Argument<string>("SHELL") { Description = "The shell to complete for: bash" }.AcceptOnlyFromAmong("bash");
        var command = new Command(
            "completion",
            "Print a shell completion script: commands, options and fixed values complete on Tab.\n\n"
            + "Examples:\n  source <(gateway completion bash)                      # this shell\n"
            + "  gateway completion bash > /etc/bash_completion.d/gateway   # every shell")
        {
            shell,
        };
        command.SetAction(_ =>
        {
            context.Out.WriteLine(BashScript);
            return ExitCodes.Ok;
        });
        return command;
    }
}
