namespace Gateway.Audit;

/// <summary>The file side of the writer task: batched appends, fsync, size-based rotation.</summary>
internal sealed partial class AuditWriter
{
    // Writes the buffered lines; counts them as dropped when the file cannot take them.
    private async ValueTask FlushAsync(bool toDisk)
    {
        await WriteOutAsync(_buffer.WrittenMemory, _pendingEvents, _bufferFirst, toDisk).ConfigureAwait(false);
        _buffer.ResetWrittenCount();
        _pendingEvents = 0;
    }

    // The line starting at lineStart would take the file past MaxFileSize: the lines before it
    // finish the current file, which becomes audit.jsonl.1, and the line opens a fresh file.
    private async ValueTask RotateAsync(int lineStart, DateTimeOffset lineTime)
    {
        await WriteOutAsync(_buffer.WrittenMemory[..lineStart], _pendingEvents - 1, _bufferFirst, toDisk: true).ConfigureAwait(false);
        CloseFile();
        try
        {
            ShiftRotatedFiles();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.RotateFailed(_logger, _config.File, e.Message);
        }

        await WriteOutAsync(_buffer.WrittenMemory[lineStart..], 1, lineTime, toDisk: false).ConfigureAwait(false);
        _buffer.ResetWrittenCount();
        _pendingEvents = 0;
    }

    private async ValueTask WriteOutAsync(ReadOnlyMemory<byte> lines, int events, DateTimeOffset first, bool toDisk)
    {
        if (lines.IsEmpty && !(toDisk && _stream is not null))
        {
            return;
        }

        try
        {
            Stream stream = _stream ??= OpenLive();
            if (!lines.IsEmpty)
            {
                await stream.WriteAsync(lines).ConfigureAwait(false);
            }

            if (toDisk && stream is FileStream file)
            {
                file.Flush(flushToDisk: true);
                _lastSync = _time.GetTimestamp();
            }
            else
            {
                await stream.FlushAsync().ConfigureAwait(false);
            }

            _fileLength += lines.Length;
            _generations.Appended(events, first);
            Interlocked.Add(ref _written, events);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // A full disk or a vanished directory: the events are counted, the file reopened
            // on the next batch (which first ends any half-written line).
            long dropped = Interlocked.Add(ref _dropped, events);
            Log.WriteFailed(_logger, _config.File, events, dropped, e.Message);
            CloseFile();
        }
    }

    private Stream OpenLive()
    {
        string path = _config.File;
        if (_options.OpenFile is { } open)
        {
            Stream custom = open(path);
            _fileLength = custom.CanSeek ? custom.Length : 0;
            if (_fileLength == 0)
            {
                _generations.OpenedEmpty();
            }

            return custom;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.Read | FileShare.Delete, // readers and shippers tail it; rotation renames it
            BufferSize = 0, // the writer task batches already
        };
        if (!OperatingSystem.IsWindows())
        {
            // Host names and sandbox names: not for every local user.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        }

        var stream = new FileStream(path, options);
        _fileLength = stream.Length;
        if (_fileLength == 0)
        {
            _generations.OpenedEmpty();
        }

        if (_fileLength > 0 && !EndsWithNewline(path))
        {
            // A line torn by a crash or a failed write ends here, so the next event starts clean.
            stream.Write("\n"u8);
            _fileLength++;
        }

        return stream;
    }

    private static bool EndsWithNewline(string path)
    {
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        reader.Seek(-1, SeekOrigin.End);
        return reader.ReadByte() == '\n';
    }

    // audit.jsonl.(Keep) is deleted (its events counted, how long they were kept measured), .N
    // becomes .N+1, the live file becomes .1.
    private void ShiftRotatedFiles()
    {
        string path = _config.File;
        int keep = _config.Keep;
        string oldest = keep < 1 ? path : AuditFiles.Rotated(path, keep);
        AuditGenerations.Deleted deleted = _generations.Rotate(oldest);
        if (deleted.Events > 0)
        {
            Interlocked.Add(ref _rotatedEvents, deleted.Events);
            if (deleted.First is { } first)
            {
                Interlocked.Exchange(ref _retentionMs, Math.Max(0, (long)(_time.GetUtcNow() - first).TotalMilliseconds));
            }
        }

        if (keep < 1)
        {
            File.Delete(path);
            return;
        }

        File.Delete(oldest);
        for (int i = keep - 1; i >= 1; i--)
        {
            string from = AuditFiles.Rotated(path, i);
            if (File.Exists(from))
            {
                File.Move(from, AuditFiles.Rotated(path, i + 1), overwrite: true);
            }
        }

        if (File.Exists(path))
        {
            File.Move(path, AuditFiles.Rotated(path, 1), overwrite: true);
        }
    }

    private void CloseFile()
    {
        Stream? stream = _stream;
        _stream = null;
        if (stream is null)
        {
            return;
        }

        try
        {
            stream.Dispose();
        }
        catch (IOException e)
        {
            Log.WriteFailed(_logger, _config.File, 0, Dropped, e.Message);
        }
    }
}
