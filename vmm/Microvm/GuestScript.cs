using System.Text;
using Vmm.Cli;

namespace Vmm.Microvm;

/// <summary>
/// The shell script the guest agent runs for one <c>vmm exec</c>: the sandbox's variables exported,
/// then the command exec'd with every argument single-quoted, so nothing in them is interpreted.
/// </summary>
internal static class GuestScript
{
    /// <summary>Builds the script; throws <see cref="VmmException"/> for a variable name a shell cannot export.</summary>
    public static string Build(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentOutOfRangeException.ThrowIfZero(argv.Count);
        var script = new StringBuilder();
        foreach ((string name, string value) in environment)
        {
            if (!IsVariableName(name))
            {
                throw new VmmException($"environment variable \"{name}\" cannot be set in a microVM: use letters, digits and '_', not starting with a digit");
            }

            script.Append("export ").Append(name).Append('=');
            AppendQuoted(script, value);
            script.Append('\n');
        }

        script.Append("exec");
        foreach (string arg in argv)
        {
            script.Append(' ');
            AppendQuoted(script, arg);
        }

        return script.Append('\n').ToString();
    }

    /// <summary>POSIX single quoting: everything literal, a quote written as '\''.</summary>
    public static void AppendQuoted(StringBuilder script, string value) =>
        script.Append('\'').Append(value.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');

    private static bool IsVariableName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
