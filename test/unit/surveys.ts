import type { Survey } from '../../dev/prerequisites';

/** A machine with everything `npm start` needs (the cluster's tools not looked at). */
export const READY: Survey = {
  apt: true,
  privilege: 'root',
  temporalCli: 'found',
  caCertificates: true,
  kamailio: true,
  kamailioPostgresModule: true,
  sipp: true,
  baresip: true,
  pdftotext: true,
  chromium: false,
  postgres: 'answers',
  postgresVersion: '15',
};
