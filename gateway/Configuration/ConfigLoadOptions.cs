namespace Gateway.Configuration;

/// <summary>Inputs to loading that come from the command line and the process, not the file.</summary>
internal sealed record ConfigLoadOptions
{
    /// <summary>The <c>--state-dir</c> option; wins over every other source.</summary>
    public string? StateDirOption { get; init; }

    /// <summary>Whether the process runs as root, which picks the default state directory.</summary>
    public bool IsRoot { get; init; } = Environment.IsPrivilegedProcess;

    /// <summary>Relative paths from the command line and the environment are relative to this.</summary>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;
}
