namespace Vmm.Cli;

/// <summary>A command failed in a way the operator can fix; the message is what is printed, one line per problem.</summary>
internal sealed class VmmException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;
}
