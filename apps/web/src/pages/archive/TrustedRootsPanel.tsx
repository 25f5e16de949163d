/**
 * 信任的外单位印章根证书: the roots of other deployments this archive trusts for the seal check of received packages
 * (no seal imported). Listed with subject, validity and fingerprint; admins and archivists add one (PEM pasted or
 * read from a file) or remove one.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { trustedRootsApi } from '../../api';
import { ErrorBox } from '../../components/ErrorBox';
import { QueryTable } from '../../components/QueryTable';
import { useI18n } from '../../i18n';
import { useTrustedRootsT } from './trusted-roots-strings';

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;

export function TrustedRootsPanel() {
  const { lang } = useI18n();
  const tt = useTrustedRootsT();
  const uid = useId();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [pem, setPem] = useState('');
  const [touched, setTouched] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['trusted-seal-roots'], queryFn: ({ signal }) => trustedRootsApi.list(signal) });
  const add = useMutation({
    mutationFn: () => trustedRootsApi.add({ name: name.trim(), pem }),
    onSuccess: (r) => {
      setDone(tt('added', { name: r.name }));
      setName('');
      setPem('');
      setTouched(false);
      void qc.invalidateQueries({ queryKey: ['trusted-seal-roots'] });
    },
  });
  const remove = useMutation({
    mutationFn: async (r: { id: string; name: string }) => {
      await trustedRootsApi.remove(r.id);
      return r;
    },
    onSuccess: (r) => {
      setDone(tt('removed', { name: r.name }));
      void qc.invalidateQueries({ queryKey: ['trusted-seal-roots'] });
    },
  });
  const date = (iso: string) => new Date(iso).toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en-GB');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    setDone(null);
    if (!name.trim() || !pem.trim() || !PEM.test(pem)) return;
    add.mutate();
  };
  const roots = list.data?.items ?? null;

  return (
    <section className="panel" aria-labelledby={`${uid}-h`} data-testid="trusted-roots">
      <h2 id={`${uid}-h`}>{tt('title')}</h2>
      <p className="muted">{tt('lead')}</p>
      <QueryTable
        query={list}
        rows={roots}
        empty={tt('empty')}
        caption={tt('title')}
        heads={[tt('col.name'), tt('col.subject'), tt('col.validity'), tt('col.fingerprint'), tt('col.addedBy'), tt('col.actions')]}
      >
        {(roots) =>
          roots.map((r) => (
            <tr key={r.id}>
              <td>{r.name}</td>
              <td>{r.subject}</td>
              <td>
                {date(r.notBefore)} – {date(r.notAfter)}
              </td>
              <td>
                <code title={r.fingerprint}>{r.fingerprint.slice(0, 16)}…</code>
              </td>
              <td>{r.addedBy}</td>
              <td>
                <button type="button" className="btn" disabled={remove.isPending} onClick={() => remove.mutate(r)}>
                  {tt('remove', { name: r.name })}
                </button>
              </td>
            </tr>
          ))
        }
      </QueryTable>
      {remove.error ? <ErrorBox error={remove.error} /> : null}
      <form onSubmit={submit} noValidate aria-labelledby={`${uid}-f`}>
        <h3 id={`${uid}-f`}>{tt('form.title')}</h3>
        <div className="field">
          <label htmlFor={`${uid}-name`}>{tt('form.name')}</label>
          <input id={`${uid}-name`} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${uid}-pem`}>{tt('form.pem')}</label>
          <textarea id={`${uid}-pem`} rows={6} value={pem} onChange={(e) => setPem(e.target.value)} spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor={`${uid}-file`}>{tt('form.file')}</label>
          <input
            id={`${uid}-file`}
            type="file"
            accept=".pem,.crt,.cer"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void f.text().then(setPem);
            }}
          />
        </div>
        {touched && (!name.trim() || !pem.trim()) && (
          <p className="field-error" role="alert">
            {tt('form.missing')}
          </p>
        )}
        {touched && pem.trim() && !PEM.test(pem) && (
          <p className="field-error" role="alert">
            {tt('form.notPem')}
          </p>
        )}
        {add.error ? <ErrorBox error={add.error} /> : null}
        {done && <p role="status">{done}</p>}
        <div className="form-buttons">
          <button type="submit" className="btn btn-primary" disabled={add.isPending}>
            {tt('form.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
