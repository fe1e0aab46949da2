using System.Text;

namespace Gateway.Audit;

/// <summary>
/// Reads the audit files (rotated ones oldest first, then the live one) into an
/// <see cref="AuditAggregate"/>: what <c>policy log</c> shows when no daemon runs. A last line
/// without its newline (the writer was mid-line, or crashed) is counted if it parses and
/// ignored otherwise; malformed lines elsewhere are skipped and counted.
/// </summary>
internal static class AuditLogReader
{
    /// <summary>Reads every audit file of <paramref name="liveFile"/> into <paramref name="aggregate"/>.</summary>
    public static AuditReadResult ReadInto(AuditAggregate aggregate, string liveFile)
    {
        var result = new AuditReadResult();
        foreach (string path in AuditFiles.OldestFirst(liveFile))
        {
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            }
            catch (FileNotFoundException)
            {
                continue; // rotated away between listing and opening
            }

            using (stream)
            {
                ReadFile(stream, aggregate, result);
            }

            result.Files++;
        }

        return result;
    }

    /// <summary>Reads one file of JSON Lines into <paramref name="aggregate"/>.</summary>
    public static void ReadFile(Stream stream, AuditAggregate aggregate, AuditReadResult result)
    {
        var lines = new AuditLineBuffer();
        while (lines.Fill(stream) > 0)
        {
            while (lines.TryReadLine(out ReadOnlySpan<byte> line))
            {
                Count(line, aggregate, result);
            }
        }

        result.Malformed += lines.Oversized;
        ReadOnlySpan<byte> last = lines.Partial;
        if (!IsBlank(last))
        {
            if (AuditEventJson.TryRead(last, out AuditEvent e))
            {
                aggregate.Add(in e);
                result.Events++;
            }
            else
            {
                result.Torn++;
            }
        }
    }

    private static void Count(ReadOnlySpan<byte> line, AuditAggregate aggregate, AuditReadResult result)
    {
        if (IsBlank(line))
        {
            return;
        }

        if (AuditEventJson.TryRead(line, out AuditEvent e))
        {
            aggregate.Add(in e);
            result.Events++;
        }
        else
        {
            result.Malformed++;
        }
    }

    /// <summary>True for an empty or all-whitespace line.</summary>
    public static bool IsBlank(ReadOnlySpan<byte> line) => line[Ascii.Trim(line)].IsEmpty;
}
