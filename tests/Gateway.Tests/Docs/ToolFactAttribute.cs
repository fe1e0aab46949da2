namespace Gateway.Tests.Docs;

/// <summary>A fact that needs a tool from a Debian package (test.sh installs it as root); skipped, naming the package, without it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool, string package, bool needsRoot = false)
    {
        if (!ToolRun.Exists(tool))
        {
            Skip = $"needs {tool}: apt-get install {package} (test.sh does as root)";
        }
        else if (needsRoot && !Environment.IsPrivilegedProcess)
        {
            Skip = $"needs root (CI runs as root)";
        }
    }
}
