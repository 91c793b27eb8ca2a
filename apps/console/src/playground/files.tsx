import { useState } from 'preact/hooks';
import { formatBytes } from '../format';
import { Check, Field, onSubmit } from '../ui';
import type { PlaygroundSession } from './session';
import type { MediaItem, PlaygroundState } from './state';

const progressMax = (total: number) => Math.max(total, 1);

/** A received file or image: name, size, preview, Download with progress and Cancel, then a Save link. */
function Received({ session, m }: { session: PlaygroundSession; m: MediaItem }) {
  const d = m.download;
  const busy = Boolean(d && !d.url && !d.failed);
  const preview = m.thumbnailUrl ?? (m.kind === 'IMAGE' ? d?.url : undefined);
  return (
    <li data-testid="file-message">
      <span class="muted">
        {m.from} ({m.where}):
      </span>{' '}
      {m.kind === 'IMAGE' ? 'image' : 'file'} <strong>{m.name}</strong> ({formatBytes(m.size)})
      {preview && <img class="preview" alt={`Preview of ${m.name}`} src={preview} />}
      <div class="row">
        <button type="button" onClick={() => void session.media.download(m.key)} disabled={busy}>
          Download
        </button>
        {busy && (
          <button type="button" onClick={() => session.media.cancelDownload(m.key)}>
            Cancel download
          </button>
        )}
        {d && <progress aria-label="Download progress" max={progressMax(d.total)} value={d.current} />}
        {d?.url && (
          <a href={d.url} download={m.name}>
            Save {m.name}
          </a>
        )}
        {d?.failed && <span class="badge bad">Download {d.failed}</span>}
      </div>
    </li>
  );
}

/** Files and images: upload with progress and send to the peer (Peer ID above) or the joined channel; received ones. */
export function Files({ session, s, peer }: { session: PlaygroundSession; s: PlaygroundState; peer: string }) {
  const [file, setFile] = useState<File | null>(null);
  const [to, setTo] = useState('');
  const [toChannel, setToChannel] = useState(false);
  const u = s.upload;
  const uploading = u?.phase === 'uploading';
  const recipient = (to || peer).trim();
  return (
    <section aria-labelledby="h-files" class="panel">
      <h2 id="h-files">Files and images</h2>
      <form onSubmit={onSubmit(() => file && void session.media.upload(file, recipient, toChannel))}>
        <div class="field">
          <label for="pg-file">File</label>
          <input id="pg-file" type="file" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        </div>
        <Field id="pg-fileto" label="Send file to" value={to} onInput={setTo} placeholder={peer ? `${peer} (Peer ID)` : 'the Peer ID above'} />
        <Check id="pg-filechannel" label="Send to the joined channel" checked={toChannel} onChange={setToChannel} />
        <div class="row">
          <button type="submit" disabled={!file || uploading}>
            Upload and send
          </button>
          <button type="button" onClick={() => session.media.cancelUpload()} disabled={!uploading}>
            Cancel upload
          </button>
        </div>
      </form>
      {u && (
        <p class="row">
          <progress aria-label="Upload progress" max={progressMax(u.total)} value={u.current} />
          <span aria-live="polite">
            {u.name}: {formatBytes(u.current)} / {formatBytes(u.total)} · {u.phase}
          </span>
        </p>
      )}
      <h3 id="h-media">Received files</h3>
      <ul class="log tall" aria-labelledby="h-media" aria-live="polite">
        {s.media.map((m) => (
          <Received key={m.key} session={session} m={m} />
        ))}
      </ul>
    </section>
  );
}
