using System.Buffers;

namespace Gateway.Audit;

/// <summary>
/// What each audit file holds, as far as the writer knows: events and the time of the first, per
/// generation (0 is the live file, <c>keep</c> the oldest rotated one). Rotation deletes the oldest
/// generation; this is what lets the writer count what it deleted
/// (<c>gateway_audit_rotated_events_total</c>) and for how long it had been kept
/// (<c>gateway_audit_retention_seconds</c>), so rotation never drops events no alert sees. Files
/// the writer did not write itself (left by an earlier run) are read once, when deleted.
/// </summary>
internal sealed class AuditGenerations
{
    private readonly Generation[] _generations;

    /// <summary>Tracks the live file and <paramref name="keep"/> rotated ones, all of unknown content so far.</summary>
    public AuditGenerations(int keep)
    {
        _generations = new Generation[Math.Max(keep, 0) + 1];
        for (int i = 0; i < _generations.Length; i++)
        {
            _generations[i] = new Generation { Known = false };
        }
    }

    /// <summary>The live file was opened and found empty: its content is known from here on.</summary>
    public void OpenedEmpty() => _generations[0] = new Generation { Known = true };

    /// <summary><paramref name="events"/> lines were appended to the live file; the first of them was decided at <paramref name="first"/>.</summary>
    public void Appended(int events, DateTimeOffset first)
    {
        ref Generation live = ref _generations[0];
        if (events > 0 && live.Events == 0 && live.Known)
        {
            live.First = first;
        }

        live.Events += events;
    }

    /// <summary>
    /// The oldest generation (<paramref name="deletedPath"/>, about to be deleted) is counted and
    /// dropped, the others move one up, and a fresh, empty live file starts.
    /// </summary>
    public Deleted Rotate(string deletedPath)
    {
        Generation oldest = _generations[^1];
        var deleted = oldest.Known ? new Deleted(oldest.Events, oldest.First) : Read(deletedPath);
        Array.Copy(_generations, 0, _generations, 1, _generations.Length - 1);
        _generations[0] = new Generation { Known = true };
        return deleted;
    }

    // A file from an earlier run: count its lines and read the time of its first event.
    private static Deleted Read(string path)
    {
        if (!File.Exists(path))
        {
            return new Deleted(0, null);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            long lines = 0;
            DateTimeOffset? first = null;
            int read;
            bool firstChunk = true;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                ReadOnlySpan<byte> chunk = buffer.AsSpan(0, read);
                if (firstChunk)
                {
                    int end = chunk.IndexOf((byte)'\n');
                    if (end > 0 && AuditEventJson.TryRead(chunk[..end], out AuditEvent e))
                    {
                        first = e.Time;
                    }

                    firstChunk = false;
                }

                lines += chunk.Count((byte)'\n');
            }

            return new Deleted(lines, first);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Deleted(0, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>What one rotation deleted: its events, and when the first of them was decided (null when unknown).</summary>
    internal readonly record struct Deleted(long Events, DateTimeOffset? First);

    private struct Generation
    {
        public bool Known;
        public long Events;
        public DateTimeOffset First;
    }
}
