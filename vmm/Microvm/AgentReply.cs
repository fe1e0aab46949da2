namespace Vmm.Microvm;

/// <summary>What one line from the guest agent says.</summary>
internal enum AgentReplyKind
{
    /// <summary>A line for another request (an earlier one the host gave up on), or noise: skipped.</summary>
    Other,

    /// <summary><c>O ID BASE64</c>: a piece of the command's standard output.</summary>
    Stdout,

    /// <summary><c>E ID BASE64</c>: a piece of its standard error.</summary>
    Stderr,

    /// <summary><c>EXIT ID CODE</c>: the command ended with that exit code.</summary>
    Exit,

    /// <summary><c>PONG ID</c>: the answer to <c>PING ID</c>.</summary>
    Pong,
}

/// <summary>Parses the guest agent's reply lines (see <c>microvm/agent.sh</c>).</summary>
internal static class AgentReply
{
    /// <summary>
    /// Parses <paramref name="line"/> for request <paramref name="id"/>: the payload bytes of an output
    /// line, the code of an exit line. A line for this request that does not parse throws
    /// <see cref="FormatException"/>: the framing is broken and nothing after it can be trusted.
    /// </summary>
    public static AgentReplyKind Parse(string line, string id, out byte[] payload, out int exitCode)
    {
        payload = [];
        exitCode = 0;
        string[] words = line.Split(' ');
        if (words.Length < 2 || words[1] != id)
        {
            return AgentReplyKind.Other;
        }

        switch (words[0])
        {
            case "O" or "E" when words.Length == 3:
                payload = Convert.FromBase64String(words[2]);
                return words[0] == "O" ? AgentReplyKind.Stdout : AgentReplyKind.Stderr;
            case "EXIT" when words.Length == 3 && int.TryParse(words[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out exitCode):
                return AgentReplyKind.Exit;
            case "PONG" when words.Length == 2:
                return AgentReplyKind.Pong;
            default:
                throw new FormatException($"malformed reply from the guest agent: \"{(line.Length > 80 ? line[..80] + "…" : line)}\"");
        }
    }
}
