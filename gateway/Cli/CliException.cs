namespace Gateway.Cli;

/// <summary>A command failed in a way the operator can fix; the message is the one line printed.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;
}
