using System.Text.Json;
using PolicyCompiler.Files;
using Vmm.Admin;

namespace Vmm.Sandboxes;

/// <summary>
/// vmm's records in the state directory it shares with the gateway: <c>{stateDir}/vmm/sandboxes/NAME.json</c>
/// and a directory per sandbox for its own files (<c>{stateDir}/vmm/files/NAME</c>).
/// </summary>
internal sealed class SandboxStore(string stateDirectory)
{
    /// <summary>The state directory.</summary>
    public string StateDirectory { get; } = stateDirectory;

    private string Records => Path.Combine(StateDirectory, "vmm", "sandboxes");

    /// <summary>The record file of <paramref name="name"/>.</summary>
    public string RecordPath(string name) => Path.Combine(Records, name + ".json");

    /// <summary>The directory for a sandbox's own files.</summary>
    public string FilesOf(string name) => Path.Combine(StateDirectory, "vmm", "files", name);

    /// <summary>Writes a new record; false when one of that name exists (the name is taken, atomically).</summary>
    public bool TryCreate(SandboxRecord record)
    {
        Directory.CreateDirectory(Records);
        FileStream stream;
        try
        {
            stream = new FileStream(RecordPath(record.Name), new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(RecordPath(record.Name)))
        {
            return false;
        }

        using (stream)
        {
            JsonSerializer.Serialize(stream, record, VmmJsonContext.Default.SandboxRecord);
            stream.Flush(flushToDisk: true);
        }

        return true;
    }

    /// <summary>Replaces a record atomically (a crash leaves the old or the new one, never half).</summary>
    public void Write(SandboxRecord record)
    {
        // Owner-only from its first instant: a record names the sandbox's addresses and token.
        AtomicFile.Write(
            RecordPath(record.Name),
            record,
            static (stream, value) => JsonSerializer.Serialize(stream, value, VmmJsonContext.Default.SandboxRecord),
            UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>The record of <paramref name="name"/>, or null.</summary>
    public SandboxRecord? Read(string name)
    {
        try
        {
            using FileStream stream = File.OpenRead(RecordPath(name));
            return JsonSerializer.Deserialize(stream, VmmJsonContext.Default.SandboxRecord);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{RecordPath(name)} is not a sandbox record ({e.Message}); remove the sandbox's leftovers by hand and delete the file");
        }
    }

    /// <summary>Every record, by name.</summary>
    public List<SandboxRecord> All()
    {
        var records = new List<SandboxRecord>();
        if (!Directory.Exists(Records))
        {
            return records;
        }

        foreach (string file in Directory.GetFiles(Records, "*.json"))
        {
            if (Read(Path.GetFileNameWithoutExtension(file)) is { } record)
            {
                records.Add(record);
            }
        }

        records.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return records;
    }

    /// <summary>Deletes a record and the sandbox's files; nothing to do when they are gone.</summary>
    public void Delete(string name)
    {
        string files = FilesOf(name);
        if (Directory.Exists(files))
        {
            Directory.Delete(files, recursive: true);
        }

        File.Delete(RecordPath(name));
    }
}
