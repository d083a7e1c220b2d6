{{- define "postedit.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "postedit.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "postedit.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "postedit.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "postedit.secretName" -}}
{{ .Values.secrets.existingSecret | default (printf "%s-secrets" (include "postedit.fullname" .)) }}
{{- end -}}

{{- define "postedit.modelUrl" -}}
{{- if .Values.vllm.deploy -}}http://{{ include "postedit.fullname" . }}-vllm:8000/v1
{{- else -}}{{ required "set vllm.url (an OpenAI-compatible endpoint) or vllm.deploy=true" .Values.vllm.url }}
{{- end -}}
{{- end -}}

{{/* The environment the API and the workers share: settings only, secrets come from files. */}}
{{- define "postedit.env" -}}
- name: POSTEDIT_ENV
  value: {{ .Values.env | quote }}
- name: POSTEDIT_MODEL_CONFIG_PATH
  value: /etc/postedit/gateway.yaml
- name: POSTEDIT_EMBEDDED_AUTOSTART
  value: "false"
- name: POSTEDIT_API_KEYS_FILE
  value: /run/secrets/postedit/api_keys.yaml
- name: POSTEDIT_WEBHOOK_SECRET_FILE
  value: /run/secrets/postedit/webhook_secret
- name: POSTEDIT_MEMORY_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "memory.existingSecret: a Secret whose key `url` names the PostgreSQL database of the translation memories (pods share it)" .Values.memory.existingSecret }}
      key: url
{{- if .Values.redis.deploy }}
- name: POSTEDIT_REDIS_URL
  value: redis://{{ include "postedit.fullname" . }}-redis:6379/0
{{- else if .Values.redis.existingSecret }}
- name: POSTEDIT_REDIS_URL
  valueFrom:
    secretKeyRef: {name: {{ .Values.redis.existingSecret }}, key: url}
{{- else }}
- name: POSTEDIT_REDIS_URL
  value: {{ required "set redis.url, redis.existingSecret or redis.deploy=true: API processes and workers share Redis" .Values.redis.url | quote }}
{{- end }}
{{- end -}}

{{- define "postedit.volumeMounts" -}}
- {name: gateway, mountPath: /etc/postedit, readOnly: true}
- {name: secrets, mountPath: /run/secrets/postedit, readOnly: true}
- {name: tmp, mountPath: /tmp}
- {name: cache, mountPath: /home/postedit/.cache}
{{- end -}}

{{- define "postedit.volumes" -}}
- name: gateway
  configMap: {name: {{ include "postedit.fullname" . }}-gateway}
- name: secrets
  secret: {secretName: {{ include "postedit.secretName" . }}}
- {name: tmp, emptyDir: {}}
- {name: cache, emptyDir: {}}
{{- end -}}
